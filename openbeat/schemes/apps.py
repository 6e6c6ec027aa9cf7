from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "openbeat.schemes"
    label = "schemes"
    verbose_name = "Watch schemes"
