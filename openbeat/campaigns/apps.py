from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "openbeat.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"
