"""The board report's back-office pages (mounted under /admin/insights/ by wagtail_hooks), and its menu item."""

from typing import Any

from django.urls import URLPattern, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from openbeat.insights.views import report

urlpatterns: list[URLPattern] = [
    path("board-report/", report.report_index, name="report"),
    path("board-report/<int:pk>/", report.report_build_page, name="report_build"),
    path("board-report/<int:pk>/status.json", report.report_build_status, name="report_status"),
    path("board-report/<int:pk>/download/", report.report_download, name="report_download"),
]


class BoardReportMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm(report.VIEW_PERMISSION))


@hooks.register("register_insights_menu_item")
def register_board_report_menu_item() -> MenuItem:
    return BoardReportMenuItem("Board report", reverse("insights_staff:report"), icon_name="doc-full", order=30)
