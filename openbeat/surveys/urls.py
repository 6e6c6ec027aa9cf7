"""Public surveys, under /surveys/: the start page, a page per section, check your answers, thank you, privacy."""

from django.urls import URLPattern, path

from openbeat.surveys.views import public

app_name = "surveys"
urlpatterns: list[URLPattern] = [
    path("<slug:slug>/", public.start, name="start"),
    path("<slug:slug>/privacy/", public.privacy, name="privacy"),
    path("<slug:slug>/page/<int:section>/", public.section, name="section"),
    path("<slug:slug>/check-your-answers/", public.check, name="check"),
    path("<slug:slug>/thank-you/", public.done, name="done"),
    # An In the Know personal link (surveys.invitations). Last: a signed value always holds a ":", so it never
    # takes the paths above of a survey whose short name is "i".
    path("i/<str:signed>/", public.invited, name="invited"),
]
