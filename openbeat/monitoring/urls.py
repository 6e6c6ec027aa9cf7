from django.urls import URLPattern, path

from openbeat.monitoring import views

app_name = "monitoring"
urlpatterns: list[URLPattern] = [
    path("health/", views.health, name="health"),
    path("metrics", views.metrics, name="metrics"),
]
