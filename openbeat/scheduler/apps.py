from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "openbeat.scheduler"
    label = "scheduler"
    verbose_name = "Scheduler"
