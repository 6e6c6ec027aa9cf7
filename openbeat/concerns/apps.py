from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "openbeat.concerns"
    label = "concerns"
    verbose_name = "Residents' concerns"

    def ready(self) -> None:
        from openbeat.areas.sections import register_neighbourhood_section
        from openbeat.concerns.selectors import neighbourhood_concerns_section

        register_neighbourhood_section(
            "concerns",
            template="concerns/neighbourhood_section.html",
            context=neighbourhood_concerns_section,
            order=40,
        )
