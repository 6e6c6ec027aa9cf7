"""A small world for the pipeline tests (D1): neighbourhoods in two divisions, subscribers, an alert sending.

Plain functions, not fixtures, so test_outbox, test_tasks and test_fault share them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import numpy as np

from openbeat.alerts.audience import Audience
from openbeat.alerts.models import Alert
from openbeat.areas.models import Neighbourhood
from openbeat.subscriptions.models import Interest, Subscriber

CONFIRMED = datetime(2026, 1, 1, tzinfo=UTC)
_numbers = itertools.count()


def subscribers(
    neighbourhood: Neighbourhood | None,
    count: int,
    *,
    email: bool = True,
    sms: bool = False,
    language: str = "en",
    address: str = "resident",
    **fields: Any,
) -> list[Subscriber]:
    """`count` active subscribers at home in `neighbourhood` (the row only: the pipeline needs no areas)."""
    rows = []
    for _ in range(count):
        n = next(_numbers)
        values: dict[str, Any] = {
            "status": Subscriber.Status.ACTIVE,
            "email": f"{address}{n}@example.com" if email else None,
            "email_confirmed_at": CONFIRMED if email else None,
            "phone": f"+4477009{n:05d}" if sms else None,
            "phone_verified_at": CONFIRMED if sms else None,
            "sms_day": sms,
            "sms_night": sms,
            "language": language,
            "home_neighbourhood": neighbourhood,
        }
        rows.append(Subscriber(**{**values, **fields}))
    return Subscriber.objects.bulk_create(rows)


def sending_alert(**fields: Any) -> Alert:
    """An alert as alert_dispatch leaves it when it calls the pipeline: state sending."""
    values: dict[str, Any] = {
        "title": "Burglaries on Mill Lane",
        "body": "Two homes were broken into overnight. Lock your doors.",
        # get_or_create: a transactional test's flush removes the seeded interests.
        "interest": Interest.objects.get_or_create(
            slug="crime-alerts", defaults={"name": "Crime alerts and appeals", "kind": "topic", "bit": 0}
        )[0],
        "priority": 3,  # emergency: the rules send it at any hour, so tests do not depend on the clock
        "state": Alert.State.SENDING,
        "sending_at": CONFIRMED,
    }
    return Alert.objects.create(**{**values, **fields})


def audience(email: list[Subscriber] = (), sms: list[Subscriber] = ()) -> Audience:  # type: ignore[assignment]
    return Audience(
        email=np.array(sorted(s.pk for s in email), dtype=np.int64),
        sms=np.array(sorted(s.pk for s in sms), dtype=np.int64),
    )
