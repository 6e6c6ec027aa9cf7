"""Imports and figures entered by hand, under /admin/insights/ (namespace insights_staff)."""

from django.urls import URLPattern, path

from openbeat.insights.views import imports, manual

urlpatterns: list[URLPattern] = [
    path("imports/", imports.import_upload, name="imports"),
    path("imports/<int:pk>/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/status.json", imports.import_status, name="import_status"),
    path("figures/", manual.manual_enter, name="manual"),
    path("figures/<int:pk>/", manual.manual_edit, name="manual_edit"),
]
