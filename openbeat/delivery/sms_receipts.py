"""GOV.UK Notify's delivery receipts (its status callbacks) applied to SMS deliveries.

Notify calls back once per message when it reaches a final status: delivered, permanent-failure,
temporary-failure or technical-failure. Its `reference` is the delivery's token (the Notify service also
carries transactional SMS, whose references are not tokens: those are ignored here).

Notify's "temporary-failure" arrives after Notify itself has retried for up to 72 hours (phone off, out of
signal, inbox full): sending the alert again later would only deliver stale news, so for us it is final and
recorded as a permanent failure whose reason says what happened.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from .models import Channel, Delivery

State = Delivery.State


@dataclass(frozen=True)
class _Mapping:
    state: str
    reason: str


NOTIFY_STATUSES = {
    "delivered": _Mapping(State.DELIVERED, ""),
    "permanent-failure": _Mapping(State.PERMANENT_FAILURE, "number not in use"),
    "temporary-failure": _Mapping(State.PERMANENT_FAILURE, "phone unreachable"),
    "technical-failure": _Mapping(State.TECHNICAL_FAILURE, "Notify technical failure"),
}


class ReceiptResult(StrEnum):
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # already final: a repeated or late callback
    UNKNOWN = "unknown"  # not one of our deliveries, or a notification since replaced by a retry


def sms_receipt_record(
    *,
    reference: str,
    notification_id: str,
    status: str,
    sent_at: datetime | None = None,
    completed_at: datetime | None = None,
) -> ReceiptResult:
    """Apply one Notify receipt to the delivery whose token is `reference`. `status` must be a key of
    NOTIFY_STATUSES (the view checks)."""
    mapping = NOTIFY_STATUSES[status]
    try:
        token = uuid.UUID(reference)
    except (ValueError, TypeError, AttributeError):
        return ReceiptResult.UNKNOWN
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(token=token, channel=Channel.SMS).only(*_FIELDS).first()
        if delivery is None:
            return ReceiptResult.UNKNOWN
        # A delivery retried after a temporary failure has a newer notification: the old one's news is stale.
        if delivery.provider_id and delivery.provider_id != notification_id:
            return ReceiptResult.UNKNOWN
        if delivery.state in Delivery.FINAL_STATES:
            return ReceiptResult.UNCHANGED
        delivery.state = mapping.state
        delivery.provider_id = notification_id
        delivery.sent_at = delivery.sent_at or sent_at or completed_at or timezone.now()
        if mapping.state == State.DELIVERED:
            delivery.delivered_at = completed_at or timezone.now()
            delivery.failure_reason = ""
        else:
            delivery.failure_reason = mapping.reason
            delivery.last_error = f"Notify: {status}"
        delivery.save(update_fields=[*_CHANGED])
        alert_id = delivery.alert_id
    alert_finish_when_committed(alert_id)
    return ReceiptResult.UPDATED


_FIELDS = ("id", "alert_id", "state", "provider_id", "sent_at")
_CHANGED = ("state", "provider_id", "sent_at", "delivered_at", "failure_reason", "last_error")


def alert_finish_when_committed(alert_id: int) -> None:
    """Once this change commits, mark the alert sent if that was its last pending delivery (for SMS the last
    to become final is a receipt, not the pipeline's own send)."""
    from .outbox import alert_finish_if_done

    transaction.on_commit(lambda: alert_finish_if_done(alert_id=alert_id))
