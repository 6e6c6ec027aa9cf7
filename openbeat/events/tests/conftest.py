"""The events' test world: two divisions with a neighbourhood each, and staff in each role that matters."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from openbeat.alerts import handoff
from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.events.models import Event
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user


@pytest.fixture(autouse=True)
def _no_delivery_pipeline():
    """As in the alerts' tests: an alert made here goes no further than the alerts app."""
    previous = handoff.installed()
    handoff.register(None)
    yield
    handoff.register(previous)


@pytest.fixture
def world(west, east) -> Any:
    abbey = NeighbourhoodFactory(name="Abbey", code="W1", division=west, boundary=square(-2.00, 54.0))
    brook = NeighbourhoodFactory(name="Brook", code="W2", division=west, boundary=square(-1.99, 54.0))
    castle = NeighbourhoodFactory(name="Castle", code="E1", division=east, boundary=square(-1.98, 54.0))
    return SimpleNamespace(
        west=west,
        east=east,
        abbey=abbey,
        brook=brook,
        castle=castle,
        officer=staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer-west"),
        lead=staff_user(roles.DIVISION_LEAD, west, username="lead-west"),
        other=staff_user(roles.NEIGHBOURHOOD_OFFICER, east, username="officer-east"),
        hq=staff_user(roles.HQ_MEDIA, None, username="hq"),
        board=staff_user(roles.BOARD_VIEWER, None, username="board"),
        public=UserFactory(username="public"),
    )


def event_values(**changes: Any) -> dict[str, Any]:
    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    values: dict[str, Any] = {
        "title": "PACT meeting at the library",
        "description": "Tell us what **matters** to you.",
        "kind": Event.Kind.PACT,
        "starts_at": start,
        "ends_at": start + timedelta(hours=1, minutes=30),
        "attendance": Event.Attendance.BOTH,
        "address": "Abbey Library\n1 High Street",
        "lat": 54.005,
        "lon": -1.995,
        "online_url": "https://meet.example.org/pact",
        "contact_name": "PC Alex Smith",
        "contact_email": "alex.smith@police.example",
        "contact_phone": "01632 960 001",
    }
    values.update(changes)
    return values


def make_event(
    *,
    neighbourhood: Any = None,
    division: Any = None,
    force_wide: bool = False,
    state: str = "published",
    **changes: Any,
) -> Event:
    """An event written directly (not through the services), for pages and feeds."""
    if neighbourhood is not None:
        division = neighbourhood.division
    values = event_values(**changes)
    return Event.objects.create(
        **values,
        neighbourhood=neighbourhood,
        division=division,
        force_wide=force_wide,
        state=state,
        published_at=timezone.now() if state != "draft" else None,
    )
