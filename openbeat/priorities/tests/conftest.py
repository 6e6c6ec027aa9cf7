from __future__ import annotations

import datetime

import pytest

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.priorities import services
from openbeat.staff.roles import HQ_MEDIA, NEIGHBOURHOOD_OFFICER
from openbeat.staff.tests.factories import staff_user


@pytest.fixture
def home(west):
    return NeighbourhoodFactory(code="W01", name="Ashbridge", division=west)


@pytest.fixture
def away(east):
    return NeighbourhoodFactory(code="E01", name="Brookside", division=east)


@pytest.fixture
def officer(west):
    return staff_user(NEIGHBOURHOOD_OFFICER, west, username="west-officer")


@pytest.fixture
def other_officer(east):
    return staff_user(NEIGHBOURHOOD_OFFICER, east, username="east-officer")


@pytest.fixture
def hq():
    return staff_user(HQ_MEDIA, None, username="hq")


@pytest.fixture
def make_priority(officer, home):
    def make(**fields):
        values = {
            "actor": officer,
            "neighbourhood": home,
            "issue": "Speeding on Mill Lane",
            "action": "Speed checks twice a week",
            "date_set": datetime.date(2026, 1, 10),
            "published": True,
        }
        return services.priority_create(**{**values, **fields})

    return make
