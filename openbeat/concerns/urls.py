"""Public residents' concerns, under /concerns/: the form per neighbourhood, the emailed link, the results."""

from django.urls import URLPattern, path

from openbeat.concerns.views import public

app_name = "concerns"
urlpatterns: list[URLPattern] = [
    path("confirm/<str:token>/", public.confirm, name="confirm"),
    path("<str:code>/", public.respond, name="respond"),
    path("<str:code>/check-your-email/", public.sent, name="sent"),
    path("<str:code>/results/", public.results, name="results"),
]
