from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "openbeat.subscriptions"
    label = "subscriptions"
    verbose_name = "In the Know subscribers"
