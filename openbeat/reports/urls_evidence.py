"""Back office evidence download, mounted under /admin/reports/ (namespace `reports_staff`) by wagtail_hooks."""

from django.urls import URLPattern, path

from openbeat.reports.views.evidence import evidence_download

urlpatterns: list[URLPattern] = [
    path("evidence/<int:pk>/", evidence_download, name="evidence"),
]
