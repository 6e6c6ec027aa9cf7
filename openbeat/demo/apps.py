from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "openbeat.demo"
    label = "demo"
    verbose_name = "Demo force"
