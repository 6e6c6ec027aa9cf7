"""Email that comes back: provider tracking events (django-anymail), bounces and complaints.

An SMTP server's acceptance counts as delivered (outbox.py); what happens after comes back later, from an
email provider's webhook through anymail's `tracking` signal, matched to the delivery by the Message-ID
`<{token}@domain>` the message was sent with. Nothing else about a message is stored to match it.

    delivered            -> delivered (delivered_at)
    bounced              -> permanent-failure, a hard bounce
    rejected             -> permanent-failure; a hard bounce when the provider says the address is bad
    failed               -> technical-failure (the provider could not send it at all)
    deferred             -> a note on the delivery, nothing more: the provider is still trying
    complained           -> email stopped at once, consent to contact withdrawn
    unsubscribed         -> unsubscribed, as from our own one-click link
    opened / clicked     -> opened_at (only when the force tracks opens) / clicked_at

Hard bounces in a row stop email to the subscriber at DeliverySettings.hard_bounce_limit (0: never). "In a
row" is read from the subscriber's email deliveries themselves, no counter to drift: the run of hard-bounced
deliveries around the one that just bounced, broken only by a delivery still counted as delivered. Bounces
arrive late and out of order, so the run is looked for on both sides of the bounced delivery.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from openbeat.audit.services import log_action
from openbeat.subscriptions.models import Consent, Subscriber
from openbeat.subscriptions.preferences import subscriber_unsubscribe
from openbeat.subscriptions.services import consent_withdraw

from .models import Channel, Delivery, DeliverySettings
from .sms_receipts import alert_finish_when_committed

logger = logging.getLogger(__name__)
State = Delivery.State

# failure_reason values that say the address itself is bad. The SMTP transport's "mailbox unavailable" (a 5xx
# to RCPT) is one: it counts towards the limit like a provider's bounce.
HARD_BOUNCE_REASONS = ("bounced", "invalid address", "mailbox unavailable")
# Anymail's reject reasons that mean the address is bad (not the provider's policy or our content).
HARD_REJECT_REASONS = {"invalid": "invalid address", "bounced": "bounced", "timed_out": "bounced"}
# The anymail metadata key a sender may set to the delivery's token (see email_event_record).
METADATA_KEY = "openbeat_delivery"
# How far back the run of bounces is looked for: far beyond any sensible limit.
RECENT = 200
SMTP_CODE = re.compile(r"^\s*(\d{3}(?:[ -]\d\.\d{1,3}\.\d{1,3})?)")


# --- Bounces and complaints ---------------------------------------------------------------------------------


def record_bounce(*, delivery: Delivery, hard: bool, reason: str = "bounced", detail: str = "") -> bool:
    """A bounce of `delivery`. A hard one fails it for good and may stop email to the subscriber; a soft one
    (the provider is still trying) is only noted. `detail` is the server's answer: only its SMTP code is kept,
    as the rest often quotes the address. Returns True if email to the subscriber is stopped now."""
    code = _smtp_code(detail)
    if not hard:
        Delivery.objects.filter(pk=delivery.pk).update(last_error=f"soft bounce {code}".strip())
        return False
    if reason not in HARD_BOUNCE_REASONS:
        raise ValueError(f"a hard bounce's reason is one of {HARD_BOUNCE_REASONS}, not {reason!r}")
    with transaction.atomic():
        subscriber = _lock_subscriber(delivery)
        Delivery.objects.filter(pk=delivery.pk).update(
            state=State.PERMANENT_FAILURE, failure_reason=reason, last_error=f"hard bounce {code}".strip()
        )
        delivery.state, delivery.failure_reason = State.PERMANENT_FAILURE, reason
        stopped = False
        if subscriber is not None and not subscriber.email_stopped:
            limit = DeliverySettings.load().hard_bounce_limit
            run = hard_bounces_in_a_row(delivery=delivery)
            if limit and run >= limit:
                stopped = _stop_email(subscriber, delivery=delivery, reason="hard bounces", hard_bounces=run)
    alert_finish_when_committed(delivery.alert_id)
    return stopped


def record_complaint(*, delivery: Delivery) -> bool:
    """The recipient marked the message as spam: no more email to them at once, and their consent to be
    contacted recorded as withdrawn. Returns True if email is stopped now (False if it already was)."""
    with transaction.atomic():
        subscriber = _lock_subscriber(delivery)
        if subscriber is None:
            return False
        consent_withdraw(subscriber=subscriber, purpose=Consent.Purpose.CONTACT)
        if subscriber.email_stopped:
            return False
        return _stop_email(subscriber, delivery=delivery, reason="complaint")


def hard_bounces_in_a_row(*, delivery: Delivery) -> int:
    """The length of the run of hard-bounced email deliveries containing `delivery` (0 if it is not one)."""
    if delivery.subscriber_id is None:
        return 0
    rows = list(
        Delivery.objects.filter(subscriber_id=delivery.subscriber_id, channel=Channel.EMAIL)
        .filter(state__in=(State.DELIVERED, State.PERMANENT_FAILURE))
        .order_by("-id")
        .values_list("id", "state", "failure_reason")[:RECENT]
    )
    rows.reverse()
    bounced = [state == State.PERMANENT_FAILURE and reason in HARD_BOUNCE_REASONS for _, state, reason in rows]
    # Permanent failures that are not about the address (a provider's policy) neither count nor break a run.
    counted = [
        (pk, hard) for (pk, state, _), hard in zip(rows, bounced, strict=True) if hard or state == State.DELIVERED
    ]
    position = next((i for i, (pk, _) in enumerate(counted) if pk == delivery.pk), None)
    if position is None or not counted[position][1]:
        return 0
    start = position
    while start > 0 and counted[start - 1][1]:
        start -= 1
    end = position
    while end + 1 < len(counted) and counted[end + 1][1]:
        end += 1
    return end - start + 1


def email_stopped_count(*, division_ids: list[int] | None = None) -> int:
    """Subscribers whose email is stopped (bounces, complaints), for staff statistics; by home division."""
    subscribers = Subscriber.objects.filter(email_stopped=True)
    if division_ids is not None:
        subscribers = subscribers.filter(home_neighbourhood__division_id__in=division_ids)
    return subscribers.count()


def _lock_subscriber(delivery: Delivery) -> Subscriber | None:
    # Locked so that two bounces arriving together both see each other's row when counting.
    if delivery.subscriber_id is None:
        return None
    subscribers = Subscriber.objects.select_related("home_neighbourhood__division")
    return subscribers.select_for_update(of=("self",)).filter(pk=delivery.subscriber_id).first()


def _stop_email(subscriber: Subscriber, *, delivery: Delivery, reason: str, hard_bounces: int = 0) -> bool:
    if not Subscriber.objects.filter(pk=subscriber.pk, email_stopped=False).update(email_stopped=True):
        return False
    subscriber.email_stopped = True
    data: dict[str, Any] = {"reason": reason, "alert": delivery.alert_id, "delivery": delivery.pk}
    if hard_bounces:
        data["hard_bounces"] = hard_bounces
    # The division the message went to, else where the subscriber lives now: its staff see the entry.
    home = subscriber.home_neighbourhood
    division = delivery.division or (home.division if home is not None else None)
    # The subscriber's pseudonymous id only; staff find the person through the back office if they must.
    log_action("delivery.subscriber.email_stopped", actor=None, target=subscriber, data=data, division=division)
    logger.info("email stopped for subscriber %s (%s)", subscriber.pk, reason)
    return True


def _smtp_code(detail: str | None) -> str:
    match = SMTP_CODE.match(detail or "")
    return match.group(1) if match else ""


# --- Provider tracking events (anymail) ---------------------------------------------------------------------


def delivery_for_message_id(message_id: str | None) -> Delivery | None:
    """The email delivery a Message-ID `<{token}@domain>` (angle brackets optional) was sent for."""
    local = str(message_id or "").strip().removeprefix("<").removesuffix(">").partition("@")[0]
    try:
        token = uuid.UUID(local)
    except ValueError:
        return None
    return Delivery.objects.filter(token=token, channel=Channel.EMAIL).select_related("division").first()


def email_event_record(*, event: Any) -> str:
    """Apply one anymail AnymailTrackingEvent; returns what was done, for logs and tests.

    Providers that report their own message id instead of the Message-ID header can be given the token as
    anymail metadata `openbeat_delivery` when sending; it is looked at second."""
    delivery = delivery_for_message_id(event.message_id) or delivery_for_message_id(
        (event.metadata or {}).get(METADATA_KEY)
    )
    if delivery is None:
        return "unknown"
    kind = event.event_type
    at = event.timestamp or timezone.now()
    if kind == "delivered":
        return _delivered(delivery, at)
    if kind == "bounced":
        record_bounce(delivery=delivery, hard=True, detail=event.mta_response or "")
        return "hard bounce"
    if kind == "rejected":
        reason = HARD_REJECT_REASONS.get(event.reject_reason or "")
        if reason:
            record_bounce(delivery=delivery, hard=True, reason=reason, detail=event.mta_response or "")
            return "hard bounce"
        _fail(delivery, state=State.PERMANENT_FAILURE, reason="refused by the provider")
        return "refused"
    if kind == "failed":
        _fail(delivery, state=State.TECHNICAL_FAILURE, reason="provider could not send")
        return "failed"
    if kind == "deferred":
        record_bounce(delivery=delivery, hard=False, detail=event.mta_response or "")
        return "soft bounce"
    if kind == "complained":
        record_complaint(delivery=delivery)
        return "complaint"
    if kind == "unsubscribed" and delivery.subscriber is not None:
        subscriber_unsubscribe(subscriber=delivery.subscriber)
        return "unsubscribed"
    if kind == "opened" and DeliverySettings.load().track_opens:
        Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=at)
        return "opened"
    if kind == "clicked":
        Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(clicked_at=at)
        return "clicked"
    return "ignored"


def _delivered(delivery: Delivery, at: Any) -> str:
    # Never over a failure: a bounce can arrive before the "delivered" it contradicts, and wins.
    if delivery.state in (State.PERMANENT_FAILURE, State.TECHNICAL_FAILURE):
        return "ignored"
    Delivery.objects.filter(pk=delivery.pk).update(state=State.DELIVERED)
    Delivery.objects.filter(pk=delivery.pk, delivered_at__isnull=True).update(delivered_at=at)
    alert_finish_when_committed(delivery.alert_id)
    return "delivered"


def _fail(delivery: Delivery, *, state: str, reason: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(state=state, failure_reason=reason)
    alert_finish_when_committed(delivery.alert_id)


def _on_tracking(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    result = email_event_record(event=event)
    logger.info("%s %s event: %s", esp_name, event.event_type, result)


def connect_signals() -> None:
    """Listen to anymail's tracking signal; called once from DeliveryConfig.ready()."""
    from anymail.signals import tracking

    tracking.connect(_on_tracking, dispatch_uid="openbeat.delivery.bounces.tracking")
