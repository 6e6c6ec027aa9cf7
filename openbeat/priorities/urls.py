"""Public priorities of one neighbourhood, under /neighbourhoods/<code>/priorities/."""

from django.urls import URLPattern, path

from openbeat.priorities.views import public

app_name = "priorities"
urlpatterns: list[URLPattern] = [
    path("", public.priority_list, name="list"),
    path("<int:pk>/", public.priority_detail, name="detail"),
]
