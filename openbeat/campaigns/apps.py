from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "openbeat.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        from openbeat.campaigns.board import campaigns_section
        from openbeat.campaigns.services import campaign_known, campaign_report_record
        from openbeat.core.metric_sources import register_report_section
        from openbeat.reports import campaign_links

        # The board report's "Campaigns" section: each campaign's results per channel in the report's months.
        register_report_section("campaigns", campaigns_section)
        # Reports begun from a campaign's link (/report/<type>/?campaign=<slug>) are counted for the campaign.
        campaign_links.register(known=campaign_known, record=campaign_report_record)
