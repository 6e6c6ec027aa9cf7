"""data.police.uk's force and neighbourhood paths. The fixed ones ("forces", "locate-neighbourhood",
"{force}/neighbourhoods") come before the "{force}/{neighbourhood}" patterns that would otherwise take them."""

from django.urls import URLPattern, path

from openbeat.opendata.views import forces, neighbourhoods

urlpatterns: list[URLPattern] = [
    path("forces", forces.force_list, name="opendata-forces"),
    path("forces/<str:force>", forces.force_detail, name="opendata-force"),
    path("forces/<str:force>/people", forces.force_people, name="opendata-force-people"),
    path("locate-neighbourhood", neighbourhoods.locate_neighbourhood, name="opendata-locate-neighbourhood"),
    path("<str:force>/neighbourhoods", neighbourhoods.neighbourhood_list, name="opendata-neighbourhoods"),
    path("<str:force>/<str:neighbourhood>", neighbourhoods.neighbourhood_detail, name="opendata-neighbourhood"),
    path("<str:force>/<str:neighbourhood>/boundary", neighbourhoods.neighbourhood_boundary, name="opendata-boundary"),
    path("<str:force>/<str:neighbourhood>/people", neighbourhoods.neighbourhood_people, name="opendata-people"),
    path("<str:force>/<str:neighbourhood>/events", neighbourhoods.neighbourhood_events, name="opendata-events"),
    path(
        "<str:force>/<str:neighbourhood>/priorities",
        neighbourhoods.neighbourhood_priorities,
        name="opendata-priorities",
    ),
]
