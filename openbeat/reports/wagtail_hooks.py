"""The back office's Do It Online pages. Each part owns its URL module; this file only mounts them."""

from django.urls import include, path
from wagtail import hooks

from openbeat.reports import admin_keys, admin_types, urls_evidence, urls_triage  # noqa: F401  (register hooks)

REPORTS_MENU_HOOK = "register_do_it_online_menu_item"


@hooks.register("register_admin_urls")
def register_reports_urls() -> list:
    patterns = [*urls_triage.urlpatterns, *urls_evidence.urlpatterns]
    return [path("reports/", include((patterns, "reports_staff")))]
