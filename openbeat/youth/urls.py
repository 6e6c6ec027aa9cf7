from django.urls import URLPattern

app_name = "youth"
urlpatterns: list[URLPattern] = []
