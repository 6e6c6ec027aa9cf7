from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openbeat.core"
    label = "core"
    verbose_name = "Site"
