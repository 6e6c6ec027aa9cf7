from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "openbeat.alerts"
    label = "alerts"
    verbose_name = "In the Know alerts"

    def ready(self) -> None:
        from openbeat.alerts.selectors import latest_public_alerts
        from openbeat.core.home import register_home_context

        register_home_context("latest_alerts", latest_public_alerts)
