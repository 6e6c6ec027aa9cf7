from django.apps import AppConfig


class SocialConfig(AppConfig):
    name = "openbeat.social"
    label = "social"
    verbose_name = "Social media publishing"
