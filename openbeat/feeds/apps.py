from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "openbeat.feeds"
    label = "feeds"
    verbose_name = "News, appeals and alerts feeds (RSS and Atom)"
