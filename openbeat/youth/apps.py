from django.apps import AppConfig


class YouthConfig(AppConfig):
    name = "openbeat.youth"
    label = "youth"
    verbose_name = "Youth site"

    def ready(self) -> None:
        from openbeat.core.models import HomePage

        # The youth site hangs from the force's home page. Core sits below youth and cannot name it, so youth
        # adds itself to the home page's allowed children (before Wagtail first reads and caches that list).
        if "youth.YouthHomePage" not in HomePage.subpage_types:
            HomePage.subpage_types = [*HomePage.subpage_types, "youth.YouthHomePage"]
