from __future__ import annotations

import re

import pytest
from django.core import mail

from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory, square
from openbeat.core.models import TransactionalMessage
from openbeat.staff.roles import HQ_MEDIA, NEIGHBOURHOOD_OFFICER
from openbeat.staff.tests.factories import staff_user


@pytest.fixture
def home(west):
    # A 0.1 degree square (about 7 x 11 km) around Preston, so there is room for several schemes' circles.
    return NeighbourhoodFactory(code="W01", name="Ashbridge", division=west, boundary=square(-2.75, 53.75, 0.1))


@pytest.fixture
def away(east):
    return NeighbourhoodFactory(code="E01", name="Brookside", division=east, boundary=square(-2.2, 53.75, 0.1))


@pytest.fixture
def postcode(home):
    return PostcodeFactory(postcode="PR1 1AB", neighbourhood=home, lat=53.80, lon=-2.70)


@pytest.fixture
def away_postcode(away):
    return PostcodeFactory(postcode="BB1 1AA", neighbourhood=away, lat=53.80, lon=-2.15)


@pytest.fixture
def officer(west):
    return staff_user(NEIGHBOURHOOD_OFFICER, west, username="west-officer")


@pytest.fixture
def other_officer(east):
    return staff_user(NEIGHBOURHOOD_OFFICER, east, username="east-officer")


@pytest.fixture
def hq():
    return staff_user(HQ_MEDIA, None, username="hq")


def last_email() -> TransactionalMessage | None:
    """The last email queued (sent after the commit, which a test's transaction never reaches)."""
    return TransactionalMessage.objects.order_by("pk").last()


def last_link() -> str:
    queued = last_email()
    body = queued.body_text if queued is not None else mail.outbox[-1].body
    return re.search(r"https?://\S+?(/watch-schemes/confirm/\S+/)", body).group(1)


def last_token() -> str:
    return last_link().split("/confirm/")[1].strip("/")
