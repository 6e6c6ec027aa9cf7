"""The insights dashboard and the engagement gap map (mounted under /admin/insights/ by wagtail_hooks)."""

from django.urls import URLPattern, path

from openbeat.insights.views import dashboard, gapmap

urlpatterns: list[URLPattern] = [
    path("", dashboard.dashboard, name="dashboard"),
    path("gap-map/", gapmap.gapmap_page, name="gapmap"),
    path("gap-map.csv", gapmap.gapmap_csv, name="gapmap_csv"),
    path("gap-map.geojson", gapmap.gapmap_geojson, name="gapmap_geojson"),
]
