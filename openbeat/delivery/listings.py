"""The latest alerts and how they did, offered to the insights dashboard as plain dicts (a metric-source
listing), so insights never reads delivery's tables itself. Four small aggregate queries whatever the volume.

An alert sent to a demographic group is listed only as `alerts.disclosure` allows: its audience perhaps as
words ("fewer than 10"), its delivered count "not shown", clicks and replies below the threshold as words, and
no rating average from fewer ratings than the threshold."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Count, Q
from django.urls import reverse

from openbeat.alerts import disclosure
from openbeat.alerts.models import Alert
from openbeat.delivery.models import Delivery, Rating, Reply


def latest_alerts(*, limit: int = 5, division_code: str | None = None) -> list[dict[str, Any]]:
    alerts = Alert.objects.filter(state__in=[Alert.State.SENDING, Alert.State.SENT]).order_by("-sending_at")
    if division_code is not None:
        alerts = alerts.filter(Q(division__code=division_code) | Q(force_wide=True))
    chosen = list(
        alerts.only(
            "pk",
            "title",
            "sending_at",
            "sent_at",
            "targeting",
            *("audience_subscribers", "audience_email", "audience_sms"),
            *("audience_base_subscribers", "audience_base_email", "audience_base_sms"),
        )[:limit]
    )
    ids = [a.pk for a in chosen]
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
    ratings = {
        alert_id: (mean, n)
        for alert_id, mean, n in Rating.objects.filter(delivery__alert_id__in=ids)
        .values("delivery__alert_id")
        .annotate(mean=Avg("score"), n=Count("pk"))
        .values_list("delivery__alert_id", "mean", "n")
        .order_by()
    }
    replies = dict(
        Reply.objects.filter(alert_id__in=ids)
        .values("alert_id")
        .annotate(n=Count("pk"))
        .values_list("alert_id", "n")
        .order_by()
    )
    n = disclosure.threshold() if any(a.targets_demographics for a in chosen) else 0
    rows = []
    for a in chosen:
        mean, rated = ratings.get(a.pk, (None, 0))
        row: dict[str, Any] = {
            "title": a.title,
            "sent_at": a.sent_at or a.sending_at,
            "audience": a.audience_subscribers,
            "delivered": delivered.get(a.pk, 0),
            "clicked": clicked.get(a.pk, 0),
            "rating": mean,
            "replies": replies.get(a.pk, 0),
            "url": reverse("delivery_staff:alert_delivery", args=[a.pk]),
        }
        shown = disclosure.alert_results(a, {"clicked": row["clicked"], "replies": row["replies"], "rated": rated}, n)
        if shown is not None:
            row["audience"] = disclosure.alert_counts(a, n).subscribers.as_data()
            row["delivered"] = disclosure.NOT_SHOWN.as_data()
            row["clicked"], row["replies"] = shown["clicked"].as_data(), shown["replies"].as_data()
            row["rating"] = mean if shown["rated"].exact else None
        rows.append(row)
    return rows
