"""The open data API's test world (a force, a neighbourhood with its team, station, events and priorities) and
the API's own settings for tests: unlimited unless a test asks for the rate limit."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from openbeat.areas.tests.factories import NeighbourhoodFactory, StationFactory, square
from openbeat.core.models import Force
from openbeat.events.models import Event
from openbeat.events.tests.conftest import make_event
from openbeat.priorities import services as priority_services
from openbeat.priorities.models import Status
from openbeat.staff import roles
from openbeat.staff.models import TeamMembership
from openbeat.staff.tests.factories import OfficerFactory, staff_user

FORCE = "lancashire"


@pytest.fixture(autouse=True)
def _api_unlimited(settings: Any) -> None:
    """Every client is exempt from the rate limit here; the rate-limit tests set it back to nobody."""
    settings.OPENDATA_RATE_EXEMPT = ["0.0.0.0/0", "::/0"]


@pytest.fixture
def api() -> Client:
    return Client()


@pytest.fixture
def world(west: Any, settings: Any) -> SimpleNamespace:
    settings.OPENDATA_FORCE_DESCRIPTION = "<p>Policing Lancashire.</p>"
    force = Force.objects.create(
        code=FORCE, name="Lancashire Constabulary", short_code="LC", website="https://www.lancashire.police.uk/"
    )
    ingol = NeighbourhoodFactory(
        code="PR11",
        name="Ingol & Cottam",
        division=west,
        boundary=square(-2.73, 53.78),
        population=8669,
        description="<p>North-west Preston.</p>",
    )
    StationFactory(neighbourhood=ingol, name="Preston Police Station", postcode="PR1 2AA")
    pc = OfficerFactory(name="Sam Patel", rank="PC", division=west, email="sam.patel@police.example", bio="Local.")
    pcso = OfficerFactory(name="Jo Lee", rank="PCSO", division=west)
    chief = OfficerFactory(name="Chris Grant", rank="Chief Constable", division=west, bio="Leads the force.")
    deputy = OfficerFactory(name="Dee Moss", rank="Temporary Deputy Chief Constable", division=west)
    OfficerFactory(name="Ian Hale", rank="Chief Inspector", division=west)
    OfficerFactory(name="Hidden Chief", rank="Assistant Chief Constable", division=west, public=False)
    TeamMembership.objects.create(neighbourhood=ingol, officer=pc, sort_order=0)
    TeamMembership.objects.create(neighbourhood=ingol, officer=pcso, sort_order=1)
    officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="api-officer")
    open_priority = priority_services.priority_create(
        actor=officer,
        neighbourhood=ingol,
        issue="Speeding on Tag Lane",
        action="Speed checks twice a week",
        date_set=datetime.date(2026, 1, 10),
        published=True,
    )
    done_priority = priority_services.priority_create(
        actor=officer,
        neighbourhood=ingol,
        issue="Litter at the shops",
        action="Patrols with the council",
        date_set=datetime.date(2025, 9, 1),
        published=True,
    )
    done_priority.status = Status.DONE
    done_priority.date_done = datetime.date(2025, 12, 1)
    done_priority.outcome = "Bins added, litter down."
    done_priority.save()
    meeting = make_event(neighbourhood=ingol, title="PACT meeting", kind=Event.Kind.PACT)
    make_event(neighbourhood=ingol, title="Draft surgery", kind=Event.Kind.SURGERY, state="draft")
    return SimpleNamespace(
        force=force,
        ingol=ingol,
        officer=officer,
        team=[pc, pcso],
        seniors=[chief, deputy],
        open_priority=open_priority,
        done_priority=done_priority,
        meeting=meeting,
    )
