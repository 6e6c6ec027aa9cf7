"""The back office's Insights pages. Each part owns its URL module; this file only mounts them."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from openbeat.insights import admin_accounts, urls_dashboard, urls_imports, urls_report  # noqa: F401

INSIGHTS_MENU_HOOK = "register_insights_menu_item"


@hooks.register("register_admin_urls")
def register_insights_urls() -> list:
    patterns = [*urls_dashboard.urlpatterns, *urls_imports.urlpatterns, *urls_report.urlpatterns]
    return [path("insights/", include((patterns, "insights_staff")))]


class InsightsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("insights.view_insights")


@hooks.register("register_admin_menu_item")
def register_insights_menu() -> SubmenuMenuItem:
    return SubmenuMenuItem("Insights", Menu(register_hook_name=INSIGHTS_MENU_HOOK), icon_name="table", order=250)


@hooks.register(INSIGHTS_MENU_HOOK)
def register_gapmap_menu_item() -> MenuItem:
    return InsightsMenuItem("Engagement gap map", reverse("insights_staff:gapmap"), icon_name="site", order=20)


@hooks.register(INSIGHTS_MENU_HOOK)
def register_dashboard_menu_item() -> MenuItem:
    return InsightsMenuItem("Dashboard", reverse("insights_staff:dashboard"), icon_name="table", order=10)
