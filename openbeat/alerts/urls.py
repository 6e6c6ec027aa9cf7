from django.urls import URLPattern, path  # noqa: F401

app_name = "alerts"
# Mounted at /alerts/: the public archive of sent alerts.
urlpatterns: list[URLPattern] = []
