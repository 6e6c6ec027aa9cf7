from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "openbeat.delivery"
    label = "delivery"
    verbose_name = "In the Know delivery"

    def ready(self) -> None:
        # alerts sits below delivery: delivery plugs its pipeline into alerts' hand-off slot.
        from openbeat.alerts import handoff
        from openbeat.delivery.outbox import outbox_fill_for_alert

        handoff.register(outbox_fill_for_alert)
        from openbeat.delivery.recipients import alert_recipients

        handoff.register_recipients(alert_recipients)
        handoff.register_panel("delivery/staff/alert_delivery_panel.html")

        from openbeat.delivery.forecast import audience_forecast
        from openbeat.delivery.selectors import alert_figures

        handoff.register_figures(alert_figures, "delivery/staff/_figures.html")
        handoff.register_forecast(audience_forecast)

        from openbeat.delivery.bounces import connect_signals

        connect_signals()

        from openbeat.delivery.privacy import erase_feedback, export_deliveries
        from openbeat.subscriptions.preferences import register_eraser
        from openbeat.subscriptions.privacy import register_export_section

        register_eraser(erase_feedback)
        register_export_section("alerts_received", export_deliveries)

        from openbeat.delivery.selectors import recent_deliveries
        from openbeat.subscriptions.assisted import register_message_history

        register_message_history(recent_deliveries)

        from openbeat.core.metric_sources import register_listing, register_metric_source
        from openbeat.delivery.listings import latest_alerts
        from openbeat.delivery.metrics import delivery_figures

        register_metric_source("delivery", delivery_figures)
        register_listing("latest_alerts", latest_alerts)
