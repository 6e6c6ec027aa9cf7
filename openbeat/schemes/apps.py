from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "openbeat.schemes"
    label = "schemes"
    verbose_name = "Watch schemes"

    def ready(self) -> None:
        from openbeat.core.metric_sources import register_metric_source
        from openbeat.schemes.metrics import scheme_figures

        # The board report's Citizens in Policing: verified schemes per division at each month's end.
        register_metric_source("schemes", scheme_figures)
