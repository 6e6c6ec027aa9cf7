from django.urls import path

from openbeat.cap.views import public

app_name = "cap"
# Mounted at /cap/: the Atom index of current urgent warnings and each CAP message as issued.
urlpatterns = [
    path("alerts.atom", public.index, name="index"),
    path("alerts/<slug:identifier>.xml", public.message, name="message"),
]
