"""/api/: data.police.uk's paths. Crime endpoints first: their fixed first segments ("crimes-street") would
otherwise be taken for a force id by the "{force}/{neighbourhood}" patterns."""

from django.urls import include, path

urlpatterns = [
    path("", include("openbeat.opendata.urls_crime")),
    path("", include("openbeat.opendata.urls_forces")),
]
