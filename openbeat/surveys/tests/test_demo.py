"""The demo's surveys and indices: made fast, deterministic, registered, idempotent, with suppression to show."""

from __future__ import annotations

import time

import pytest

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.core.metric_sources import small_number_minimum
from openbeat.demo.registry import demo_delete, demo_tag, demo_tagged
from openbeat.surveys.demo import surveys_demo
from openbeat.surveys.indices import index_table
from openbeat.surveys.models import Answer, Channel, Response, Survey, SurveyIndex

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(west, east):
    made = [NeighbourhoodFactory(code=f"N{i:02}", division=west if i % 2 else east) for i in range(24)]
    demo_tag(objs=[west, east, *made])
    return made


def test_two_surveys_with_responses_over_channels_and_two_indices(places):
    started = time.monotonic()
    message = surveys_demo()
    elapsed = time.monotonic() - started
    assert elapsed < 10, elapsed
    assert "3,420 responses" in message
    running = Survey.objects.get(title="Your neighbourhood, your say")
    closed = Survey.objects.get(title="Public confidence survey 2026")
    assert (running.state, closed.state) == (Survey.State.OPEN, Survey.State.CLOSED)
    assert Response.objects.filter(survey=closed).count() == 3_000
    assert set(Response.objects.filter(survey=running).values_list("channel", flat=True)) == set(Channel.values)
    moderation = set(Answer.objects.exclude(text="").values_list("moderation", flat=True))
    assert {Answer.Moderation.SHOWN, Answer.Moderation.HIDDEN} <= moderation
    confidence = SurveyIndex.objects.get(name="Confidence in local policing")
    assert confidence.components.count() == 4
    assert SurveyIndex.objects.get(name="Satisfaction").components.count() == 3
    table = index_table(confidence, by="neighbourhood", period="quarter")
    quarterly = [s for row in table.scores for s in row]
    # Real variation between neighbourhoods, and some too small to show.
    shown = [s for s in quarterly if s is not None]
    assert max(shown) - min(shown) > 15
    assert any(0 < n < small_number_minimum() for row in table.raw_n for n in row)


def test_it_is_registered_idempotent_and_removed_by_a_reset(places):
    surveys_demo()
    assert surveys_demo() == "already there"
    assert demo_tagged(Response.objects.all()).count() == 3_420
    demo_delete(
        models_to_delete=[Survey, SurveyIndex, Response, *{type(s.current_version) for s in Survey.objects.all()}]
    )
    assert not Survey.objects.exists()
    assert not Answer.objects.exists()
    assert not SurveyIndex.objects.exists()
