"""meeting_figures for the board report's "Events and surveys"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from openbeat.meetings.models import Meeting
from openbeat.meetings.selectors import meeting_figures
from openbeat.meetings.tests.conftest import make_event, question

pytestmark = pytest.mark.django_db


def test_figures_count_held_meetings_in_the_period_and_division(world):
    world.meeting.held, world.meeting.attended_in_person, world.meeting.attended_online = True, 20, 150
    world.meeting.save()
    question(world.meeting, n=1)
    answered = question(world.meeting, n=2)
    answered.answered_at = timezone.now()
    answered.save()
    question(world.meeting, state="unverified", n=3)
    question(world.meeting, state="rejected", n=4)
    east = Meeting.objects.create(event=make_event(world.castle), held=True, attended_in_person=5)
    Meeting.objects.create(event=make_event(world.abbey, title="Not held"), held=False, attended_in_person=99)
    day = timezone.localdate(world.event.starts_at)
    figures = meeting_figures(day - timedelta(days=1), day + timedelta(days=1))
    assert (figures.meetings_held, figures.attended_in_person, figures.attended_online) == (2, 25, 150)
    assert (figures.questions_asked, figures.questions_answered) == (3, 1)
    west_only = meeting_figures(day, day, division=world.west)
    assert west_only.meetings_held == 1
    assert west_only.attended_in_person == 20
    assert meeting_figures(day + timedelta(days=2), day + timedelta(days=9)).meetings_held == 0
    assert east.pk
