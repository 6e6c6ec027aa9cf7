from django.apps import AppConfig


class CrimeConfig(AppConfig):
    name = "openbeat.crime"
    label = "crime"
    verbose_name = "Crime in your area"

    def ready(self) -> None:
        from openbeat.areas.sections import register_neighbourhood_section
        from openbeat.crime.selectors import neighbourhood_crime_section

        # After the team (10): the page's "Crime in your area" (areas sits below crime, so crime registers).
        register_neighbourhood_section(
            "crime", template="crime/neighbourhood_crime.html", context=neighbourhood_crime_section, order=50
        )
