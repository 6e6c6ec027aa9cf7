from django.urls import path

from openbeat.areas.views import public

app_name = "areas"
urlpatterns = [
    path("", public.find, name="find"),
    path("map/", public.force_map, name="map"),
    path("all.geojson", public.neighbourhoods_geojson, name="geojson"),
    path("<str:code>/", public.neighbourhood_detail, name="neighbourhood"),
    path("<str:code>/boundary.geojson", public.boundary_geojson, name="boundary"),
]
