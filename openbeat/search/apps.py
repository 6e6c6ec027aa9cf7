from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "openbeat.search"
    label = "search"
    verbose_name = "Site search"
