from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "openbeat.priorities"
    label = "priorities"
    verbose_name = "Neighbourhood priorities"

    def ready(self) -> None:
        from openbeat.areas.sections import register_neighbourhood_section
        from openbeat.priorities.selectors import neighbourhood_priorities_section

        # "You said, we did" on the public neighbourhood page (areas sits below this app: see areas.sections).
        register_neighbourhood_section(
            "priorities",
            template="priorities/neighbourhood_section.html",
            context=neighbourhood_priorities_section,
            order=20,
        )
