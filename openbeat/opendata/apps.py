from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    name = "openbeat.opendata"
    label = "opendata"
    verbose_name = "Open data API"
