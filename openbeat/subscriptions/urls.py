from django.urls import URLPattern, path  # noqa: F401

app_name = "subscriptions"
# Mounted at /in-the-know/: the sign-up journey, confirmation, magic links and the preferences page.
urlpatterns: list[URLPattern] = []
