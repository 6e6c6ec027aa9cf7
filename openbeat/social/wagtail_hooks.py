"""The back office's Social media section: posts, composer, approvals, calendar, accounts, legal patterns."""

from typing import Any

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from openbeat.social.models import LegalPattern
from openbeat.social.views import inbox, staff
from openbeat.staff.admin_views import ScopedViewSetMixin


@hooks.register("register_admin_urls")
def register_social_urls() -> list:
    patterns = [
        path("", staff.post_list, name="posts"),
        path("new/", staff.post_new, name="new"),
        path("<int:pk>/", staff.post_detail, name="post"),
        path("<int:pk>/edit/", staff.post_edit, name="edit"),
        path("<int:pk>/targets/<int:target_pk>/", staff.target_action, name="target_action"),
        path("approvals/", staff.approval_queue, name="queue"),
        path("calendar/", staff.calendar, name="calendar"),
        path("accounts/", staff.account_list, name="accounts"),
        path("accounts/new/", staff.account_new, name="account_new"),
        path("accounts/<int:pk>/", staff.account_edit, name="account_edit"),
        path("accounts/<int:pk>/credentials/", staff.account_credentials, name="account_credentials"),
        path("accounts/<int:pk>/test/", staff.account_test, name="account_test"),
        path("inbox/", inbox.inbox_list, name="inbox"),
        path("inbox/<int:pk>/", inbox.inbox_item, name="inbox_item"),
    ]
    return [path("social/", include((patterns, "social_staff")))]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args: Any, permissions: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return any(request.user.has_perm(p) for p in self.permissions)


class LegalPatternViewSet(ScopedViewSetMixin, ModelViewSet):
    """The force's legal-risk wordings: no division, so only force-wide roles (HQ) reach them; audit-logged."""

    model = LegalPattern
    scope_field = None
    audit_name = "social.legalpattern"
    icon = "warning"
    menu_label = "Legal warnings"
    add_to_admin_menu = False
    form_fields = ["label", "pattern", "active"]
    list_display = ["label", "pattern", "active"]


@hooks.register("register_admin_viewset")
def register_legal_pattern_viewset() -> LegalPatternViewSet:
    return LegalPatternViewSet("social_legal_patterns", url_prefix="social-legal-patterns")


@hooks.register("register_admin_menu_item")
def register_social_menu() -> MenuItem:
    post = ("social.add_post", "social.approve_post")
    items = [
        PermissionMenuItem("Posts", reverse("social_staff:posts"), permissions=post, order=1),
        PermissionMenuItem("Write a post", reverse("social_staff:new"), permissions=("social.add_post",), order=2),
        PermissionMenuItem("Approvals", reverse("social_staff:queue"), permissions=("social.approve_post",), order=3),
        PermissionMenuItem("Calendar", reverse("social_staff:calendar"), permissions=post, order=4),
        PermissionMenuItem("Inbox", reverse("social_staff:inbox"), permissions=("social.add_post",), order=5),
        PermissionMenuItem(
            "Accounts", reverse("social_staff:accounts"), permissions=("social.manage_socialaccount",), order=6
        ),
    ]
    return SubmenuMenuItem("Social media", Menu(items=items), icon_name="globe", order=268)
