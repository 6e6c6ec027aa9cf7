from django.urls import URLPattern

app_name = "cap"
urlpatterns: list[URLPattern] = []
