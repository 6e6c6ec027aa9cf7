from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "openbeat.volunteers"
    label = "volunteers"
    verbose_name = "Citizens in Policing"
