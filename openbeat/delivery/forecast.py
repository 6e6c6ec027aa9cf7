"""The composer's forecast: of the people an alert would reach, how many the delivery rules would hold back now.

Registered with `alerts.handoff.register_forecast` (alerts never imports delivery) and called by
`alerts.breakdown.audience_breakdown` with the resolved audience. The decisions are `rules.decide`'s own, for an
unsaved alert with the composer's priority at this moment, so the forecast and the pipeline cannot disagree:

- people with something counted against today's cap on the channel (`rules.subscribers_with_sends_today`,
  one GROUP BY, usually a small part of the audience) are loaded and decided one by one, their counts read as
  the pipeline reads them;
- everyone else has nothing counted today, so their decision depends only on the subscriber fields the rules
  read: one GROUP BY over those fields, and one stand-in subscriber per group is decided for the whole group.

The numbers are what would happen if it went now: the SMS quiet hours and the time of day are those of this
moment (an alert sent later meets other ones), and the cap counts what has gone today so far.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import numpy as np
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils import timezone

from openbeat.alerts.audience import Audience
from openbeat.alerts.breakdown import subscribers_with_ids
from openbeat.alerts.handoff import HeldBack
from openbeat.alerts.models import Alert
from openbeat.delivery import rules
from openbeat.delivery.models import Channel, Delivery
from openbeat.subscriptions.models import Subscriber

QUIET = "held for the end of SMS quiet hours"
_STAND_IN = datetime(2000, 1, 1, tzinfo=UTC)
# The subscriber fields `rules.decide` reads, besides whether the address or phone is there and confirmed.
_RULE_FIELDS = (
    "status",
    "email_stopped",
    "email_day",
    "email_night",
    "sms_day",
    "sms_night",
    "email_min_priority",
    "sms_min_priority",
)
_PRESENCE = {
    "has_email": Q(email__isnull=False, email_confirmed_at__isnull=False) & ~Q(email=""),
    "has_phone": Q(phone__isnull=False, phone_verified_at__isnull=False) & ~Q(phone=""),
}


def _stand_in(row: dict[str, Any], number: int) -> Subscriber:
    """A subscriber with exactly the rule fields of a group; a negative id, so that no count is ever found."""
    fields = {name: row[name] for name in _RULE_FIELDS}
    return Subscriber(
        pk=-number,
        email="stand-in@example.invalid" if row["has_email"] else "",
        email_confirmed_at=_STAND_IN if row["has_email"] else None,
        phone="+440000000000" if row["has_phone"] else "",
        phone_verified_at=_STAND_IN if row["has_phone"] else None,
        **fields,
    )


def _decisions(channel: str, ids: np.ndarray, alert: Alert, now: datetime) -> Counter[rules.Decision]:
    """How many of these subscribers get each decision on the channel."""
    found: Counter[rules.Decision] = Counter()
    counted = np.asarray(rules.subscribers_with_sends_today(channel=channel, now=now), dtype=np.int64)
    busy = ids[np.isin(ids, counted)] if len(counted) else ids[:0]
    rest = ids[~np.isin(ids, busy)] if len(busy) else ids
    deliveries: list[Delivery] = []
    weights: dict[int, int] = {}
    presence = {
        name: Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
        for name, q in _PRESENCE.items()
    }
    if len(rest):
        groups: Counter[tuple[Any, ...]] = Counter()
        for queryset in subscribers_with_ids(rest):
            for row in queryset.annotate(**presence).values(*_RULE_FIELDS, *_PRESENCE).annotate(n=Count("pk")):
                groups[tuple(row[name] for name in (*_RULE_FIELDS, *_PRESENCE))] += row["n"]
        for number, (key, n) in enumerate(groups.items(), start=1):
            row = dict(zip((*_RULE_FIELDS, *_PRESENCE), key, strict=True))
            delivery = Delivery(pk=-number, subscriber=_stand_in(row, number), channel=channel)
            deliveries.append(delivery)
            weights[-number] = n
    if len(busy):
        for queryset in subscribers_with_ids(busy):
            for subscriber in queryset:
                deliveries.append(Delivery(pk=subscriber.pk, subscriber=subscriber, channel=channel))
                weights[subscriber.pk] = 1
    for pk, decision in rules.decide(deliveries=deliveries, alert=alert, now=now).items():
        found[decision] += weights[pk]
    return found


def audience_forecast(*, audience: Audience, priority: int, now: datetime | None = None) -> HeldBack:
    """Of this audience, how many the rules would hold back if an alert of this priority went now."""
    now = now or timezone.now()
    alert = Alert(priority=priority)  # unsaved: none of its own deliveries are left out of the counts
    email = _decisions(Channel.EMAIL, np.asarray(audience.email, dtype=np.int64), alert, now)
    sms = _decisions(Channel.SMS, np.asarray(audience.sms, dtype=np.int64), alert, now)

    def total(found: Counter[rules.Decision], action: str, *, quiet: bool | None = None) -> int:
        return sum(
            n
            for decision, n in found.items()
            if decision.action == action and (quiet is None or (decision.reason == QUIET) == quiet)
        )

    return HeldBack(
        email_at_cap=total(email, "digest"),
        email_held=total(email, "hold"),
        sms_at_cap=sum(n for decision, n in sms.items() if decision.reason == "over the daily SMS cap"),
        sms_quiet_hours=total(sms, "hold", quiet=True),
        sms_held=total(sms, "hold", quiet=False),
    )
