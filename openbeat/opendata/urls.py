"""/api/: data.police.uk's paths. Crime endpoints first: their fixed first segments ("crimes-street") would
otherwise be taken for a force id by the "{force}/{neighbourhood}" patterns. The page describing the API and its
OpenAPI document come before both."""

from django.urls import include, path

from openbeat.opendata.views import docs

urlpatterns = [
    path("", docs.api_docs, name="opendata-docs"),
    path("openapi.json", docs.openapi_json, name="opendata-openapi"),
    path("", include("openbeat.opendata.urls_crime")),
    path("", include("openbeat.opendata.urls_forces")),
]
