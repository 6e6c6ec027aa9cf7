"""Hand-built subscribers, alerts and deliveries for the hand-off rules and digest tests (plain functions)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from openbeat.alerts.models import Alert, Priority
from openbeat.delivery.models import Channel, Delivery, DeliverySettings, DigestItem
from openbeat.subscriptions.models import Interest, Subscriber

LONDON = ZoneInfo("Europe/London")
CONFIRMED = datetime(2026, 1, 1, tzinfo=UTC)
_numbers = itertools.count(1)


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


def delivery_settings(**fields: Any) -> DeliverySettings:
    """The force's delivery settings (defaults: cap 3, day 07:00-22:00, SMS quiet 21:00-08:00), changed."""
    rules = DeliverySettings.load()
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    return rules


def subscriber(**fields: Any) -> Subscriber:
    """An active subscriber reachable by email and SMS, day and night, wanting every priority on both."""
    n = next(_numbers)
    values: dict[str, Any] = {
        "status": Subscriber.Status.ACTIVE,
        "email": f"resident{n}@example.com",
        "email_confirmed_at": CONFIRMED,
        "phone": f"+44770090{n:04d}",
        "phone_verified_at": CONFIRMED,
        "email_day": True,
        "email_night": True,
        "sms_day": True,
        "sms_night": True,
        "email_min_priority": Priority.INFORMATION,
        "sms_min_priority": Priority.INFORMATION,
    }
    return Subscriber.objects.create(**{**values, **fields})


def alert(*, priority: int = Priority.NORMAL, **fields: Any) -> Alert:
    values: dict[str, Any] = {
        "title": f"Alert {next(_numbers)}",
        "body": "Two homes were broken into overnight.\n\nLock your doors.",
        "interest": Interest.objects.get(slug="crime-alerts"),
        "priority": priority,
        "state": Alert.State.SENDING,
    }
    return Alert.objects.create(**{**values, **fields})


def deliveries(of: Alert, to: list[Subscriber | None], channel: str = Channel.EMAIL) -> list[Delivery]:
    """New deliveries of an alert, fetched the way the pipeline hands them to `decide`."""
    made = Delivery.objects.bulk_create([Delivery(alert=of, subscriber=s, channel=channel) for s in to])
    ids = [d.pk for d in made]
    return list(Delivery.objects.filter(pk__in=ids).select_related("subscriber").order_by("pk"))


def already_had(
    who: Subscriber,
    *,
    at: datetime,
    count: int = 1,
    channel: str = Channel.EMAIL,
    state: str = Delivery.State.DELIVERED,
    priority: int = Priority.NORMAL,
) -> None:
    """`count` earlier alerts that went to this subscriber at `at`."""
    for _ in range(count):
        Delivery.objects.create(
            alert=alert(priority=priority), subscriber=who, channel=channel, state=state, sent_at=at
        )


def digested(who: Subscriber, of: Alert, *, at: datetime, channel: str = Channel.EMAIL) -> DigestItem:
    """What the pipeline leaves for an alert over the cap: a digested delivery created at `at`, and its item."""
    delivery = Delivery.objects.create(alert=of, subscriber=who, channel=channel, state=Delivery.State.DIGESTED)
    Delivery.objects.filter(pk=delivery.pk).update(created_at=at)
    return DigestItem.objects.create(subscriber=who, delivery=delivery)
