from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "openbeat.meetings"
    label = "meetings"
    verbose_name = "PACT meetings"

    def ready(self) -> None:
        from openbeat.areas.sections import register_neighbourhood_section
        from openbeat.core.metric_sources import register_metric_source
        from openbeat.meetings.metrics import meeting_metric_figures
        from openbeat.meetings.selectors import neighbourhood_meetings_section

        # The board report's "Events and surveys": meetings held, their attendance and events held, per month.
        register_metric_source("meetings", meeting_metric_figures)

        register_neighbourhood_section(
            "meetings", template="meetings/neighbourhood_section.html", context=neighbourhood_meetings_section, order=25
        )
