"""The back office's Priorities pages ("you said, we did")."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.priorities.views import staff


@hooks.register("register_admin_urls")
def register_priorities_urls() -> list:
    patterns = [
        path("", staff.priority_list, name="list"),
        path("add/", staff.priority_add, name="add"),
        path("<int:pk>/", staff.priority_detail, name="detail"),
        path("<int:pk>/edit/", staff.priority_edit, name="edit"),
    ]
    return [path("priorities/", include((patterns, "priorities_staff")))]


class PrioritiesMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.user.has_perm(staff.PERMISSION))


@hooks.register("register_admin_menu_item")
def register_priorities_menu_item() -> MenuItem:
    return PrioritiesMenuItem("Priorities", reverse("priorities_staff:list"), icon_name="list-ul", order=260)
