from django.urls import path

from openbeat.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("logo/<str:name>", views.force_logo, name="force_logo"),
]
