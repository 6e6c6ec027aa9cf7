from django.urls import path

from openbeat.areas.views import public

app_name = "areas"
urlpatterns = [
    path("<str:code>/", public.neighbourhood_detail, name="neighbourhood"),
]
