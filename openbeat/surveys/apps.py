from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "openbeat.surveys"
    label = "surveys"
    verbose_name = "Surveys"
