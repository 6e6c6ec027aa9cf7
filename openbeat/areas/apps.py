from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "openbeat.areas"
    label = "areas"
    verbose_name = "Areas"

    def ready(self) -> None:
        from openbeat.areas.postcodes import postcode_example
        from openbeat.core.home import register_home_context

        # The home page's postcode box hints with one of the force's own postcodes.
        register_home_context("postcode_example", postcode_example)
