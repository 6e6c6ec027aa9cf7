from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync(sender: Any, **kwargs: Any) -> None:
    from openbeat.insights.catalogue import metrics_sync

    metrics_sync()


class InsightsConfig(AppConfig):
    name = "openbeat.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        post_migrate.connect(_sync, sender=self, dispatch_uid="insights_metrics_sync")
