"""The back office's Watch schemes pages."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.schemes.views import staff


@hooks.register("register_admin_urls")
def register_schemes_urls() -> list:
    patterns = [
        path("", staff.scheme_list, name="list"),
        path("<int:pk>/", staff.scheme_detail, name="detail"),
        path("<int:pk>/edit/", staff.scheme_edit, name="edit"),
        path("<int:pk>/verify/", staff.scheme_verify, name="verify"),
        path("<int:pk>/suspend/", staff.scheme_suspend, name="suspend"),
    ]
    return [path("watch-schemes/", include((patterns, "schemes_staff")))]


class SchemesMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.user.has_perm(staff.PERMISSION))


@hooks.register("register_admin_menu_item")
def register_schemes_menu_item() -> MenuItem:
    return SchemesMenuItem("Watch schemes", reverse("schemes_staff:list"), icon_name="group", order=275)
