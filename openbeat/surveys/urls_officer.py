"""The officer's offline app, under /officer/surveys/ (apart from the public /surveys/<slug>/ links)."""

from django.urls import URLPattern, path

from openbeat.surveys.views import officer

app_name = "surveys_officer"
urlpatterns: list[URLPattern] = [
    path("", officer.app, name="app"),
    path("sw.js", officer.service_worker, name="sw"),
    path("manifest.webmanifest", officer.manifest, name="manifest"),
    path("api/setup/", officer.api_setup, name="api_setup"),
    path("api/assigned/", officer.api_assigned, name="api_assigned"),
    path("api/responses/", officer.api_responses, name="api_responses"),
]
