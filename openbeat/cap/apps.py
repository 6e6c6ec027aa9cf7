from django.apps import AppConfig


class CapConfig(AppConfig):
    name = "openbeat.cap"
    label = "cap"
    verbose_name = "Urgent warnings (CAP)"
