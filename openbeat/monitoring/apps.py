from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "openbeat.monitoring"
    label = "monitoring"
    verbose_name = "Health and monitoring"
