"""The feeds tests' world: the news tests' site (a news index, two divisions with three neighbourhoods and staff
in each role) and helpers that publish news, appeals and sent alerts, and fetch and parse a feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import feedparser
from django.test import Client
from django.utils import timezone
from lxml import etree

from openbeat.alerts.models import Alert
from openbeat.alerts.targeting import spec_from_json, spec_to_json
from openbeat.news.tests.conftest import appeal, fake, news, site, world  # noqa: F401  (fixtures and helpers)
from openbeat.subscriptions.models import Interest

ATOM = "{http://www.w3.org/2005/Atom}"


def sent_alert(title: str = "Burglaries on Mill Lane", *, areas: dict[str, Any] | None = None, **fields: Any) -> Alert:
    """An alert of the public archive (sent), or in another state when `state` is given."""
    state = fields.pop("state", Alert.State.SENT)
    minutes = fields.pop("minutes_ago", 30)
    return Alert.objects.create(
        title=title,
        body=fields.pop("body", "Two homes were broken into. **Lock your doors.**"),
        interest=Interest.objects.get(slug="crime-alerts"),
        targeting=spec_to_json(spec_from_json({"areas": areas or {"whole_force": True}})),
        state=state,
        sent_at=timezone.now() - timedelta(minutes=minutes) if state == Alert.State.SENT else None,
        **fields,
    )


def get(path: str, client: Client | None = None, **headers: Any) -> Any:
    return (client or Client()).get(path, headers=headers)


def parse(response: Any) -> Any:
    """feedparser's reading of a feed (an independent parser): it must find nothing wrong."""
    assert response.status_code == 200, response.content[:300]
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


def titles(path: str) -> list[str]:
    return [entry.title for entry in parse(get(path)).entries]


def xml(response: Any) -> Any:
    return etree.fromstring(response.content)
