from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "openbeat.volunteers"
    label = "volunteers"
    verbose_name = "Citizens in Policing"

    def ready(self) -> None:
        from openbeat.core.metric_sources import register_metric_source, register_report_section
        from openbeat.volunteers.metrics import citizens_section, volunteer_figures

        # The board report's Citizens in Policing figures come from the monthly counts kept here.
        register_metric_source("volunteers", volunteer_figures)
        register_report_section("volunteers", citizens_section)
