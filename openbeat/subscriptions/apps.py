from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "openbeat.subscriptions"
    label = "subscriptions"
    verbose_name = "In the Know subscribers"

    def ready(self) -> None:
        from openbeat.core.metric_sources import register_metric_source
        from openbeat.subscriptions.metrics import subscriber_figures

        register_metric_source("itk", subscriber_figures)
