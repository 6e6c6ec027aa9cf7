"""Who an alert reached, for "Send an update" (registered with `alerts.handoff.register_recipients`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openbeat.delivery.models import Delivery

# Handed to the transport (SMS awaiting Notify's receipt stays in sending), delivered, or gathered into the
# daily digest: the resident was, or is being, told. Failures and skipped messages reached nobody.
REACHED = (Delivery.State.SENDING, Delivery.State.DELIVERED, Delivery.State.DIGESTED)


def alert_recipients(*, alert_id: int, channel: str) -> QuerySet[Any]:
    """The subscriber ids an alert reached on `channel`, as a subquery (the unique (alert, subscriber, channel)
    index answers it); erased subscribers' rows keep no subscriber and are left out."""
    return Delivery.objects.filter(
        alert_id=alert_id, channel=channel, state__in=REACHED, subscriber__isnull=False
    ).values("subscriber_id")
