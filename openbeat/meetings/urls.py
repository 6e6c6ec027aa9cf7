"""Public PACT meeting pages, under /meetings/: the meeting, asking, voting, registering, the emailed link, and
the live page with its JSON."""

from django.urls import URLPattern, path

from openbeat.meetings.views import public

app_name = "meetings"
urlpatterns: list[URLPattern] = [
    path("confirm/<str:token>/", public.confirm, name="confirm"),
    path("<uuid:public_id>/", public.detail, name="detail"),
    path("<uuid:public_id>/ask/", public.ask, name="ask"),
    path("<uuid:public_id>/register/", public.register, name="register"),
    path("<uuid:public_id>/check-your-email/", public.sent, name="sent"),
    path("<uuid:public_id>/questions/<int:pk>/vote/", public.vote, name="vote"),
    path("<uuid:public_id>/live/", public.live, name="live"),
    path("<uuid:public_id>/live.json", public.live_json, name="live_json"),
]
