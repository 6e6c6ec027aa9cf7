from django.apps import AppConfig


class YouthConfig(AppConfig):
    name = "openbeat.youth"
    label = "youth"
    verbose_name = "Youth site"
