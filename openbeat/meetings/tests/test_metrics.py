"""Meetings and events reach the board report's "Events and surveys" as insights figures (source "meetings")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from openbeat.core.metric_sources import figures, metric_sources
from openbeat.events.models import Event
from openbeat.meetings.metrics import meeting_metric_figures
from openbeat.meetings.models import Meeting
from openbeat.meetings.tests.conftest import make_event

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def held(neighbourhood, *, day, in_person, online, state=Event.State.PUBLISHED):
    start = datetime(2026, 3, day, 19, tzinfo=LONDON)
    event = make_event(neighbourhood, starts_at=start, ends_at=start.replace(hour=21), state=state)
    return Meeting.objects.create(event=event, held=True, attended_in_person=in_person, attended_online=online)


def test_meetings_held_their_attendance_and_events_count_per_month_and_division(world):
    held(world.abbey, day=3, in_person=12, online=40)
    held(world.abbey, day=17, in_person=8, online=None)
    held(world.castle, day=10, in_person=5, online=5, state=Event.State.CANCELLED)  # cancelled: not held
    start = datetime(2026, 3, 20, 10, tzinfo=LONDON)
    make_event(world.castle, kind=Event.Kind.STALL, starts_at=start, ends_at=start.replace(hour=12))
    found = {
        (f.metric, f.month, f.division): f.value
        for f in meeting_metric_figures(first_month="2026-03", last_month="2026-03")
    }
    assert found == {
        ("pact_meetings", "2026-03", world.west.code): 2.0,
        ("pact_attendance", "2026-03", world.west.code): 60.0,
        ("events_held", "2026-03", world.west.code): 2.0,
        ("events_held", "2026-03", world.east.code): 1.0,
    }


def test_the_source_is_registered_for_insights(world):
    assert metric_sources()["meetings"] is meeting_metric_figures
    held(world.abbey, day=3, in_person=1, online=2)
    assert {f.metric for f in figures(first_month="2026-03", last_month="2026-03", only=["meetings"])} == {
        "pact_meetings",
        "pact_attendance",
        "events_held",
    }
