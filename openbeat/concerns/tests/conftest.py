from __future__ import annotations

import re

import pytest
from django.core import mail

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.concerns import services
from openbeat.concerns.models import Concern


@pytest.fixture
def home(west):
    return NeighbourhoodFactory(code="W01", name="Ashbridge", division=west)


@pytest.fixture
def away(east):
    return NeighbourhoodFactory(code="E01", name="Brookside", division=east)


@pytest.fixture
def concerns(db):
    """The seeded list (put back if an earlier transactional test emptied it)."""
    for order, name in enumerate(["Speeding", "Anti-social behaviour", "Drug dealing", "Burglary"], start=1):
        Concern.objects.get_or_create(name=name, defaults={"order": order})
    return {c.name: c for c in Concern.objects.all()}


def link_in_last_email() -> str:
    return re.search(r"https?://\S+/concerns/confirm/\S+/", mail.outbox[-1].body).group(0)


def token_in_last_email() -> str:
    return link_in_last_email().rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def respond(home, concerns, django_capture_on_commit_callbacks):
    """Start a response for `email` with the concerns named, confirm it (unless told not to); the token."""

    def go(email: str, *names: str, comment: str = "", confirm: bool = True, neighbourhood=None, month=None):
        with django_capture_on_commit_callbacks(execute=True):
            services.concern_response_start(
                neighbourhood=neighbourhood or home,
                email=email,
                concern_ids=[concerns[n].pk for n in names],
                comment=comment,
                month=month,
            )
        token = token_in_last_email()
        if confirm:
            services.concern_response_confirm(token=token)
        return token

    return go
