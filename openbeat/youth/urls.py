"""The youth site's own pages under /youth/ask/ (its other pages are Wagtail's, under the youth home page)."""

from django.urls import URLPattern, path

from openbeat.youth.views import public

app_name = "youth"
urlpatterns: list[URLPattern] = [
    path("ask/", public.ask, name="ask"),
    path("ask/sent/", public.sent, name="sent"),
    path("ask/answer/", public.answer, name="answer"),
    path("ask/answered/", public.answered, name="answered"),
]
