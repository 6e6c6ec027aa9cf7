from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "openbeat.meetings"
    label = "meetings"
    verbose_name = "PACT meetings"

    def ready(self) -> None:
        from openbeat.areas.sections import register_neighbourhood_section
        from openbeat.meetings.selectors import neighbourhood_meetings_section

        register_neighbourhood_section(
            "meetings", template="meetings/neighbourhood_section.html", context=neighbourhood_meetings_section, order=25
        )
