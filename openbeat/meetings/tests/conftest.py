"""The meetings' test world: two divisions, a published PACT event in the west with its meeting, and staff."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.core.models import TransactionalMessage
from openbeat.events.models import Event
from openbeat.meetings import live
from openbeat.meetings.models import Meeting, Participant, Question
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user


@pytest.fixture(autouse=True)
def _fresh_live() -> None:
    live.reset_for_tests()


def make_event(neighbourhood: Any, **changes: Any) -> Event:
    start = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    values: dict[str, Any] = {
        "title": "Abbey PACT meeting",
        "kind": Event.Kind.PACT,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "attendance": Event.Attendance.BOTH,
        "address": "Abbey Library",
        "online_url": "https://meet.example.org/public",
        "state": Event.State.PUBLISHED,
        "published_at": timezone.now(),
    }
    values.update(changes)
    return Event.objects.create(neighbourhood=neighbourhood, division=neighbourhood.division, **values)


@pytest.fixture
def world(west, east) -> Any:
    abbey = NeighbourhoodFactory(name="Abbey", code="W1", division=west, boundary=square(-2.00, 54.0))
    castle = NeighbourhoodFactory(name="Castle", code="E1", division=east, boundary=square(-1.98, 54.0))
    event = make_event(abbey)
    meeting = Meeting.objects.create(event=event)
    return SimpleNamespace(
        west=west,
        east=east,
        abbey=abbey,
        castle=castle,
        event=event,
        meeting=meeting,
        officer=staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer-west"),
        other=staff_user(roles.NEIGHBOURHOOD_OFFICER, east, username="officer-east"),
        hq=staff_user(roles.HQ_MEDIA, None, username="hq"),
        board=staff_user(roles.BOARD_VIEWER, None, username="board"),
        public=UserFactory(username="public"),
    )


def verified(meeting: Meeting, n: int = 0) -> Participant:
    return Participant.objects.create(meeting=meeting, email_hash=f"hash-{n}", verified_at=timezone.now())


def question(
    meeting: Meeting, text: str = "When will the streetlights be fixed?", *, state: str = "approved", n: int = 0
) -> Question:
    participant = Participant.objects.filter(meeting=meeting, email_hash=f"hash-{n}").first() or verified(meeting, n)
    return Question.objects.create(
        meeting=meeting,
        participant=participant,
        display_name=f"Resident {n}",
        text=text,
        state=state,
        approved_at=timezone.now() if state == "approved" else None,
    )


def last_email() -> TransactionalMessage:
    """The last email queued (sent after the commit, which a test's transaction never reaches)."""
    return TransactionalMessage.objects.order_by("pk").last()


def last_link() -> str:
    """The confirmation link last emailed: from the queued row, or (once sent, as after a real commit) the outbox."""
    queued = last_email()
    body = queued.body_text if queued is not None else mail.outbox[-1].body
    return re.search(r"https?://\S+?(/meetings/confirm/\S+/)", body).group(1)


def last_token() -> str:
    return last_link().split("/confirm/")[1].strip("/")
