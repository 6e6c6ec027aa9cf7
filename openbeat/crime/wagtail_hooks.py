"""The back office's crime imports page, under /admin/crime/imports/ (namespace crime_staff)."""

from typing import Any

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.crime.views import staff


@hooks.register("register_admin_urls")
def register_crime_urls() -> list:
    patterns = [path("imports/", staff.import_list, name="imports")]
    return [path("crime/", include((patterns, "crime_staff")))]


class CrimeImportsMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return request.user.has_perm(staff.IMPORTS_PERMISSION)


@hooks.register("register_settings_menu_item")
def register_crime_imports_menu_item() -> MenuItem:
    return CrimeImportsMenuItem("Crime imports", reverse("crime_staff:imports"), icon_name="upload", order=900)
