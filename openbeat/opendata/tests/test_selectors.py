"""What the force and neighbourhood endpoints choose to show."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.events.models import Event
from openbeat.events.tests.conftest import make_event
from openbeat.opendata import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rank", "senior"),
    [
        ("Chief Constable", True),
        ("Deputy Chief Constable", True),
        ("Temporary Assistant Chief Constable", True),
        ("Assistant Chief Officer (Crime)", True),
        ("Chief Inspector", False),
        ("Chief Superintendent", False),
        ("PC", False),
    ],
)
def test_senior_ranks(rank: str, senior: bool) -> None:
    assert bool(selectors.SENIOR_RANK.match(rank)) is senior


def test_force_people_are_the_public_chief_officers(api: Client, world: Any) -> None:
    names = [person["name"] for person in api.get("/api/forces/lancashire/people").json()]
    assert names == ["Chris Grant", "Dee Moss"]


def test_drafts_and_cancelled_events_are_left_out(api: Client, world: Any) -> None:
    make_event(neighbourhood=world.ingol, title="Called off", state=Event.State.CANCELLED)
    titles = [event["title"] for event in api.get("/api/lancashire/PR11/events").json()]
    assert titles == ["PACT meeting"]


def test_a_multi_part_boundary_gives_its_largest_part(world: Any) -> None:
    small, large = square(-2.0, 54.0, 0.01), square(-1.9, 54.0, 0.05)
    boundary = {"type": "MultiPolygon", "coordinates": [small["coordinates"], large["coordinates"]]}
    neighbourhood = NeighbourhoodFactory(code="MP1", boundary=boundary)
    points = selectors.boundary(neighbourhood)
    assert points[2] == {"latitude": "54.05", "longitude": "-1.85"}


def test_a_neighbourhood_without_boundary_or_population(api: Client, world: Any) -> None:
    NeighbourhoodFactory(code="NB1", boundary=None)
    assert api.get("/api/lancashire/NB1/boundary").json() == []
    document = api.get("/api/lancashire/NB1").json()
    assert document["population"] == "0"
    assert document["centre"] is None
