"""Public volunteering pages, under /volunteering/: the opportunities open now and each one's page."""

from django.urls import URLPattern, path

from openbeat.volunteers.views import public

app_name = "volunteers"
urlpatterns: list[URLPattern] = [
    path("", public.opportunity_list, name="list"),
    path("<slug:slug>/", public.opportunity_detail, name="detail"),
]
