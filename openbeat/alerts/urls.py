from django.urls import path

from openbeat.alerts.views import public

app_name = "alerts"
# Mounted at /alerts/: the public archive of sent alerts.
urlpatterns = [
    path("", public.archive, name="archive"),
    path("<uuid:public_id>/", public.archive_detail, name="archive_detail"),
]
