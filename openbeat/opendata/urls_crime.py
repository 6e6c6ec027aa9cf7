"""data.police.uk's crime paths (no trailing slash, as there)."""

from django.urls import URLPattern, path

from openbeat.opendata.views import crime

urlpatterns: list[URLPattern] = [
    path("crime-categories", crime.crime_categories, name="opendata-crime-categories"),
    path("crimes-street-dates", crime.crimes_street_dates, name="opendata-crimes-street-dates"),
    path("crime-last-updated", crime.crime_last_updated, name="opendata-crime-last-updated"),
    path("crimes-street/<str:category>", crime.crimes_street, name="opendata-crimes-street"),
    path("crimes-at-location", crime.crimes_at_location, name="opendata-crimes-at-location"),
    path("crimes-no-location", crime.crimes_no_location, name="opendata-crimes-no-location"),
    path("outcomes-for-crime/<str:persistent_id>", crime.outcomes_for_crime, name="opendata-outcomes-for-crime"),
]
