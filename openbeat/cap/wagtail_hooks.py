"""The back office's Urgent warnings section."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.cap.views import staff


@hooks.register("register_admin_urls")
def register_cap_urls() -> list:
    patterns = [
        path("", staff.warning_list, name="list"),
        path("alert/<int:alert_pk>/new/", staff.warning_new, name="new"),
        path("<int:pk>/", staff.warning_detail, name="detail"),
        path("<int:pk>/update/", staff.warning_update, name="update"),
        path("<int:pk>/cancel/", staff.warning_cancel, name="cancel"),
    ]
    return [path("cap/", include((patterns, "cap_staff")))]


class WarningsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("cap.issue_warning")


@hooks.register("register_admin_menu_item")
def register_warnings_menu_item() -> MenuItem:
    return WarningsMenuItem("Urgent warnings", reverse("cap_staff:list"), icon_name="warning", order=255)
