from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "openbeat.alerts"
    label = "alerts"
    verbose_name = "In the Know alerts"
