"""The campaigns' test world: two divisions, staff in the roles that matter, a public page, alerts and events."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openbeat.alerts import handoff
from openbeat.alerts.models import Alert
from openbeat.campaigns import pageviews
from openbeat.campaigns.models import Campaign
from openbeat.core.models import ContentPage
from openbeat.delivery.models import Delivery
from openbeat.events.tests.conftest import make_event
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user
from openbeat.subscriptions.models import Interest

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


@pytest.fixture(autouse=True)
def _no_delivery_pipeline():
    previous = handoff.installed()
    handoff.register(None)
    yield
    handoff.register(previous)


@pytest.fixture(autouse=True)
def _fresh_view_buffer(settings):
    """Every view goes to the shared cache at once, and no view counted in an earlier test is left over."""
    settings.PAGE_VIEWS_PUSH_SECONDS = 0
    pageviews.buffer.counts.clear()
    yield
    pageviews.buffer.counts.clear()


@pytest.fixture
def world(west, east) -> Any:
    return SimpleNamespace(
        west=west,
        east=east,
        lead=staff_user(roles.DIVISION_LEAD, west, username="lead-west"),
        officer=staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer-west"),
        other=staff_user(roles.DIVISION_LEAD, east, username="lead-east"),
        hq=staff_user(roles.HQ_MEDIA, None, username="hq"),
        contact=staff_user(roles.CONTACT_CENTRE, None, username="contact"),
        public=UserFactory(username="public"),
    )


@pytest.fixture
def page() -> ContentPage:
    found = ContentPage.objects.live().first()
    assert found is not None
    return found


def make_alert(division: Any, *, title: str = "Spot the signs of exploitation", sent: datetime | None = None) -> Alert:
    sent = sent or timezone.make_aware(datetime(2026, 3, 3, 10, 0))
    return Alert.objects.create(
        title=title,
        body="Know the signs.",
        interest=Interest.objects.order_by("pk").first(),
        division=division,
        state=Alert.State.SENT,
        sending_at=sent,
        sent_at=sent,
    )


def deliveries(alert: Alert, *, delivered: int, failed: int = 0, opened: int = 0, clicked: int = 0) -> None:
    """`delivered` delivered messages (the first `opened` opened, the first `clicked` clicked) and `failed` ones."""
    now = timezone.now()
    rows = [
        Delivery(
            alert=alert,
            channel="email",
            state=Delivery.State.DELIVERED,
            division=alert.division,
            opened_at=now if n < opened else None,
            clicked_at=now if n < clicked else None,
        )
        for n in range(delivered)
    ]
    rows += [
        Delivery(alert=alert, channel="email", state=Delivery.State.PERMANENT_FAILURE, division=alert.division)
        for _ in range(failed)
    ]
    Delivery.objects.bulk_create(rows)


def make_campaign(division: Any, **changes: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "Week of action against child sexual exploitation",
        "slug": "cse-week",
        "hashtag": "CSEweek",
        "starts_on": date(2026, 3, 2),
        "ends_on": date(2026, 3, 8),
        "aims": "Help people spot the signs.",
        "division": division,
    }
    values.update(changes)
    return Campaign.objects.create(**values)


@pytest.fixture
def campaign_maker():
    return make_campaign


@pytest.fixture
def event_maker():
    return make_event
