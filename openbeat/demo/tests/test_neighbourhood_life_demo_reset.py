"""Resetting the demo takes out exactly its neighbourhood life, never a force's own rows. Apart from
test_neighbourhood_life_demo.py, whose tests share one load of the demo: this one starts from an empty database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openbeat.areas.models import Division, Neighbourhood
from openbeat.concerns.models import ConcernResponse
from openbeat.crime.models import Crime, CrimeImport
from openbeat.demo.models import DemoRow
from openbeat.demo.registry import demo_tagged
from openbeat.demo.steps import demo_context, demo_reset
from openbeat.demo.tests.test_neighbourhood_life_demo import load
from openbeat.events.models import Event, EventRevision
from openbeat.meetings.models import Action, AgendaItem, Meeting, Participant, Question, Vote
from openbeat.priorities.models import Priority, PriorityUpdate, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ctx():
    return demo_context()


def test_reset_removes_the_neighbourhood_life_and_leaves_a_force_s_own(demo_ctx):
    # A force's own division and neighbourhood, with a priority, an event and a month of imported crimes.
    division = Division.objects.create(name="Northern", code="northern")
    nbh = Neighbourhood.objects.create(code="NN01", name="Real Place", division=division)
    priority = Priority.objects.create(neighbourhood=nbh, issue="Real issue", date_set=dt.date(2025, 1, 1))
    PriorityUpdate.objects.create(priority=priority, date=dt.date(2025, 2, 1), status=Status.IN_PROGRESS, note="On it")
    start = timezone.now() + dt.timedelta(days=3)
    event = Event.objects.create(
        title="Real surgery", kind=Event.Kind.SURGERY, starts_at=start, ends_at=start + dt.timedelta(hours=1),
        neighbourhood=nbh, division=division, state=Event.State.PUBLISHED,
    )  # fmt: skip
    imported = CrimeImport.objects.create(file_name="2025-01-northern-street.csv", started_at=timezone.now())
    crime = Crime.objects.create(
        row_key="real-1", month=dt.date(2025, 1, 1), category_id="burglary", neighbourhood=nbh, source=imported
    )
    load(demo_ctx)
    # A real crime placed in a demo neighbourhood keeps that neighbourhood (and its division) from going.
    demo_nbh = demo_tagged(Neighbourhood.objects.all()).order_by("code").last()
    Crime.objects.create(row_key="real-2", month=dt.date(2025, 1, 1), category_id="drugs", neighbourhood=demo_nbh,
                         source=imported)  # fmt: skip
    assert demo_tagged(Event.objects.all()).exists()

    result = demo_reset()

    assert result["kept"] == {"neighbourhoods": 1, "divisions": 1}
    assert list(Priority.objects.all()) == [priority]
    assert priority.updates.count() == 1
    assert list(Event.objects.all()) == [event]
    assert list(CrimeImport.objects.all()) == [imported]
    assert set(Crime.objects.values_list("row_key", flat=True)) == {"real-1", "real-2"}
    assert Crime.objects.get(pk=crime.pk).neighbourhood == nbh
    for model in (EventRevision, Meeting, Question, Participant, Vote, Action, AgendaItem, ConcernResponse):
        assert not model.objects.exists(), model.__name__
    assert set(DemoRow.objects.values_list("key", flat=True)) == {demo_nbh.code, demo_nbh.division.name}
