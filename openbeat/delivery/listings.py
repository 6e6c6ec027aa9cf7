"""The latest alerts and how they did, offered to the insights dashboard as plain dicts (a metric-source
listing), so insights never reads delivery's tables itself. Four small aggregate queries whatever the volume."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q
from django.urls import reverse

from openbeat.alerts.models import Alert
from openbeat.delivery.models import Delivery, Rating, Reply


def latest_alerts(*, limit: int = 5, division_code: str | None = None) -> list[dict[str, Any]]:
    alerts = Alert.objects.filter(state__in=[Alert.State.SENDING, Alert.State.SENT]).order_by("-sending_at")
    if division_code is not None:
        alerts = alerts.filter(Q(division__code=division_code) | Q(force_wide=True))
    chosen = list(alerts.values("pk", "title", "sending_at", "sent_at", "audience_subscribers")[:limit])
    ids = [a["pk"] for a in chosen]
    delivered = dict(
        Delivery.objects.filter(alert_id__in=ids)
        .values("alert_id")
        .annotate(
            n=Count("pk", filter=Q(state=Delivery.State.DELIVERED)),
        )
        .values_list("alert_id", "n")
        .order_by()
    )
    clicked = dict(
        Delivery.objects.filter(alert_id__in=ids, clicked_at__isnull=False)
        .values("alert_id")
        .annotate(n=Count("pk"))
        .values_list("alert_id", "n")
        .order_by()
    )
    ratings = dict(
        Rating.objects.filter(delivery__alert_id__in=ids)
        .values("delivery__alert_id")
        .annotate(mean=Avg("score"))
        .values_list("delivery__alert_id", "mean")
        .order_by()
    )
    replies = dict(
        Reply.objects.filter(alert_id__in=ids)
        .values("alert_id")
        .annotate(n=Count("pk"))
        .values_list("alert_id", "n")
        .order_by()
    )
    return [
        {
            "title": a["title"],
            "sent_at": a["sent_at"] or a["sending_at"],
            "audience": a["audience_subscribers"],
            "delivered": delivered.get(a["pk"], 0),
            "clicked": clicked.get(a["pk"], 0),
            "rating": ratings.get(a["pk"]),
            "replies": replies.get(a["pk"], 0),
            "url": reverse("delivery_staff:alert_delivery", args=[a["pk"]]),
        }
        for a in chosen
    ]
