"""Deliveries to click, rate and reply from, for D5's tests. Plain functions, shared by several test files."""

from __future__ import annotations

import itertools
from typing import Any

from openbeat.alerts.models import Alert
from openbeat.areas.models import Division
from openbeat.delivery.models import Channel, Delivery
from openbeat.delivery.tests.pipeline_world import sending_alert, subscribers

_titles = itertools.count(1)


def alert_in(division: Division | None, **fields: Any) -> Alert:
    return sending_alert(title=f"Burglaries on Mill Lane {next(_titles)}", division=division, **fields)


def delivery_for(
    division: Division | None = None,
    *,
    alert: Alert | None = None,
    state: str = Delivery.State.DELIVERED,
    channel: str = Channel.EMAIL,
    **fields: Any,
) -> Delivery:
    """A delivery to a fresh subscriber in `division` (of a new alert there unless `alert` is given)."""
    alert = alert or alert_in(division)
    (subscriber,) = subscribers(None, 1)
    return Delivery.objects.create(
        alert=alert, subscriber=subscriber, channel=channel, state=state, division=division, **fields
    )
