from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "openbeat.areas"
    label = "areas"
    verbose_name = "Areas"
