from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "openbeat.news"
    label = "news"
    verbose_name = "News and appeals"
