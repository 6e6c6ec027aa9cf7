"""The back office's In the Know section: interests, and importing existing subscribers.

Later apps add their own pages to this section through the `register_in_the_know_menu_item` hook (a function
returning a wagtail MenuItem), e.g. alerts.
"""

from typing import Any

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from openbeat.staff.admin_views import ScopedViewSetMixin
from openbeat.subscriptions.models import Interest
from openbeat.subscriptions.views import contact_centre, staff

# Before any viewset asks for Interest's policy (Wagtail 8 wants it registered first).
register_permission_policy(Interest, staff.InterestPermissionPolicy(Interest))

IN_THE_KNOW_MENU_HOOK = "register_in_the_know_menu_item"


class InterestViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Interest
    audit_name = "subscriptions.interest"
    scope_field = None  # force-wide
    icon = "tag"
    menu_label = "Interests"
    menu_order = 20  # after Alerts (alerts.wagtail_hooks, order 10)
    list_display = ["name", "slug", "kind", BooleanColumn("active", label="Residents can choose it"), "sort_order"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    ordering = ["-kind", "sort_order", "name"]  # topics, then interest groups

    def get_form_class(self, for_update: bool = False) -> Any:
        return staff.InterestForm


class ImportMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return request.user.has_perm(staff.IMPORT_PERMISSION)


class SubscriberImportViewSet(ViewSet):
    icon = "upload"
    menu_label = "Import subscribers"
    menu_order = 30
    menu_item_class = ImportMenuItem

    def get_urlpatterns(self) -> list:
        return [
            path("", staff.import_upload, name="upload"),
            path("<int:pk>/", staff.import_progress, name="progress"),
            path("<int:pk>/status.json", staff.import_status, name="status"),
        ]


class InTheKnowGroup(ModelViewSetGroup):
    menu_label = "In the Know"
    menu_icon = "mail"
    menu_order = 220
    submenu_hook = IN_THE_KNOW_MENU_HOOK
    items = [
        InterestViewSet("interests", url_prefix="in-the-know/interests"),
        SubscriberImportViewSet("subscriber_import", url_prefix="in-the-know/import"),
    ]


@hooks.register("register_admin_viewset")
def register_in_the_know() -> InTheKnowGroup:
    return InTheKnowGroup()


# The contact centre's look-up: no list, only "Find a subscriber" and the page it leads to (views/contact_centre.py).


@hooks.register("register_admin_urls")
def register_subscriber_lookup_urls() -> list:
    patterns = [
        path("", contact_centre.find, name="find"),
        path("<uuid:public_id>/", contact_centre.detail, name="detail"),
        path("<uuid:public_id>/<slug:kind>/", contact_centre.change, name="change"),
    ]
    return [path("in-the-know/subscribers/", include((patterns, "subscriber_lookup")))]


class LookupMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return request.user.has_perm(contact_centre.LOOKUP_PERMISSION)


@hooks.register(IN_THE_KNOW_MENU_HOOK)
def register_subscriber_lookup_menu_item() -> MenuItem:
    return LookupMenuItem("Find a subscriber", reverse("subscriber_lookup:find"), icon_name="search", order=5)
