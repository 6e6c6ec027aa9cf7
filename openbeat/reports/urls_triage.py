"""The triage queue and a report's page, mounted under /admin/reports/ (namespace `reports_staff`) by
wagtail_hooks. Importing `staff_menu` registers the "Do It Online" menu section."""

from django.urls import URLPattern, path

from openbeat.reports.views import staff, staff_menu  # noqa: F401  (staff_menu registers the menu hooks)

urlpatterns: list[URLPattern] = [
    path("", staff.queue, name="queue"),
    path("<int:pk>/", staff.report_page, name="report"),
    path("<int:pk>/triage/", staff.report_triage, name="triage"),
    path("<int:pk>/assign/", staff.report_assign, name="assign"),
    path("<int:pk>/status/", staff.report_status, name="status"),
    path("<int:pk>/note/", staff.report_note, name="note"),
    path("<int:pk>/message/", staff.report_message, name="message"),
    path("<int:pk>/share/", staff.report_share, name="share"),
    path("<int:pk>/erase-reporter/", staff.report_erase_reporter, name="erase_reporter"),
]
