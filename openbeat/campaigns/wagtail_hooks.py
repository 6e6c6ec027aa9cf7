"""The back office's Campaigns section, and the page-serve hook that tells the page-view count which page it is."""

from typing import Any

from django.http import HttpRequest
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.campaigns.pageviews import page_served
from openbeat.campaigns.views import staff


@hooks.register("before_serve_page")
def note_page_served(page: Any, request: HttpRequest, serve_args: Any, serve_kwargs: Any) -> None:
    page_served(page.pk, request)


@hooks.register("register_admin_urls")
def register_campaign_urls() -> list:
    patterns = [
        path("", staff.campaign_list, name="list"),
        path("new/", staff.campaign_new, name="new"),
        path("<int:pk>/", staff.campaign_detail, name="detail"),
        path("<int:pk>/edit/", staff.campaign_edit, name="edit"),
    ]
    return [path("campaigns/", include((patterns, "campaigns_staff")))]


class CampaignsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("campaigns.view_campaign")


@hooks.register("register_admin_menu_item")
def register_campaigns_menu_item() -> MenuItem:
    return CampaignsMenuItem("Campaigns", reverse("campaigns_staff:list"), icon_name="pick", order=265)
