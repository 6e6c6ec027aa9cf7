from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "openbeat.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from openbeat.areas.sections import register_neighbourhood_section
        from openbeat.events.selectors import neighbourhood_events_section

        # The public neighbourhood page (areas) lists the next events through a section, after the team.
        register_neighbourhood_section(
            "events", template="events/neighbourhood_events.html", context=neighbourhood_events_section, order=30
        )
