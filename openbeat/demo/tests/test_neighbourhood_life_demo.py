"""The demo's neighbourhood life: a year of crimes, priorities with histories, events past and future, a held PACT
meeting and a live one, residents' concerns; loading twice makes nothing new, and resetting takes out exactly
these rows, never a force's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from openbeat.areas.models import Division, Neighbourhood
from openbeat.concerns.models import ConcernResponse
from openbeat.concerns.selectors import public_results, public_threshold
from openbeat.core.months import last_complete_month, month_of, month_shift, month_start
from openbeat.crime.models import Crime, CrimeImport
from openbeat.demo.models import DemoRow
from openbeat.demo.neighbourhood_life import LIVE_KEY, step_concerns, step_crimes, step_neighbourhood_life
from openbeat.demo.registry import demo_keyed, demo_tagged
from openbeat.demo.steps import demo_context, step_force, step_geography, step_staff
from openbeat.events.models import Event, EventRevision
from openbeat.meetings.models import Action, AgendaItem, Meeting, Participant, Question, Vote
from openbeat.priorities.models import Priority, PriorityUpdate, Source, Status

pytestmark = pytest.mark.django_db

LIFE = (Crime, CrimeImport, Event, EventRevision, Meeting, AgendaItem, Participant, Question, Vote, Action, Priority,
        PriorityUpdate, ConcernResponse, DemoRow)  # fmt: skip


@pytest.fixture(scope="module")
def demo_ctx():
    return demo_context()


def load(ctx) -> None:
    for step in (step_force, step_geography, step_staff, step_crimes, step_neighbourhood_life, step_concerns):
        step(ctx)


@pytest.fixture(scope="module")
def demo_once(demo_ctx, django_db_setup, django_db_blocker):
    """The neighbourhood life loaded once for the module (each load takes half a minute), in a transaction rolled
    back at the end; each test's own changes are rolled back to a savepoint on top of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load(demo_ctx)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_once, db):
    pass


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in LIFE}


def live_event() -> Event:
    return demo_keyed(Event.objects.all())[LIVE_KEY]


def test_every_neighbourhood_has_a_year_of_crimes_priorities_and_events(demo):
    neighbourhoods = list(Neighbourhood.objects.all())
    last = month_start(last_complete_month())
    first = month_start(month_shift(last_complete_month(), -11))
    for nbh in neighbourhoods:
        months = set(Crime.objects.filter(neighbourhood=nbh).values_list("month", flat=True))
        assert len(months) == 12, nbh.code
        assert (min(months), max(months)) == (first, last), nbh.code
        assert 2 <= Priority.objects.filter(neighbourhood=nbh, published=True).count() <= 3, nbh.code
        assert Event.objects.filter(neighbourhood=nbh, kind=Event.Kind.PACT).count() >= 2, nbh.code
    assert demo_tagged(CrimeImport.objects.all()).count() == 1

    statuses = set(Priority.objects.values_list("status", flat=True))
    assert statuses == {Status.OPEN, Status.IN_PROGRESS, Status.DONE}
    for done in Priority.objects.filter(status=Status.DONE):
        assert done.outcome
        assert done.date_done == done.updates.last().date
    assert Priority.objects.filter(status=Status.IN_PROGRESS, updates__isnull=False).exists()
    assert any(p.updates.count() >= 2 for p in Priority.objects.filter(status=Status.IN_PROGRESS))
    sources = [p.source_kind for p in Priority.objects.all()]
    assert sources.count(Source.CONCERNS) >= 3
    assert sources.count(Source.PACT) > len(sources) / 2
    # A PACT priority was agreed at its neighbourhood's last meeting: an action of that meeting points at it.
    pact = Priority.objects.filter(source_kind=Source.PACT).first()
    action = Action.objects.get(priority=pact)
    assert action.meeting.event.neighbourhood == pact.neighbourhood
    assert pact.date_set == timezone.localtime(action.meeting.event.starts_at).date()

    now = timezone.now()
    events = Event.objects.all()
    assert events.filter(ends_at__lt=now).exists()
    assert events.filter(starts_at__gt=now).exists()
    kinds = set(events.values_list("kind", flat=True))
    assert kinds == set(Event.Kind.values)
    assert events.filter(force_wide=True).count() == 1
    assert events.filter(neighbourhood=None, force_wide=False).count() >= Division.objects.count()
    for event in events.exclude(state=Event.State.CANCELLED).filter(sequence=0):
        assert event.state == Event.State.PUBLISHED
        assert [r.action for r in event.revisions.all()] == ["published"]
    [cancelled] = events.filter(state=Event.State.CANCELLED)
    assert cancelled.cancel_reason
    assert cancelled.sequence == 1
    assert {r.action for r in cancelled.revisions.all()} == {"published", "cancelled"}
    changed = events.filter(state=Event.State.PUBLISHED, sequence=1)
    assert changed.exists()
    assert set(changed.first().revisions.values_list("sequence", "action")) == {(0, "published"), (1, "changed")}


def test_a_held_pact_meeting_has_minutes_attendance_questions_votes_and_actions(demo):
    held = Meeting.objects.filter(held=True, event__ends_at__lt=timezone.now())
    assert held.count() == Neighbourhood.objects.count()
    with_questions = held.filter(questions__isnull=False).distinct().get()
    assert with_questions.minutes
    assert with_questions.attended_in_person
    answered = with_questions.questions.filter(state=Question.State.APPROVED, answered_at__isnull=False)
    assert answered.count() >= 3
    assert Vote.objects.filter(question__meeting=with_questions).count() > 10
    assert with_questions.actions.exists()
    assert with_questions.agenda.count() >= 3


def test_a_pact_meeting_is_live_now_with_questions_in_every_state_the_moderator_sees(demo, client):
    event = live_event()
    now = timezone.now()
    assert event.state == Event.State.PUBLISHED
    assert event.starts_at < now < event.ends_at
    meeting = event.meeting
    questions = meeting.questions
    assert questions.filter(state=Question.State.APPROVED).count() >= 3
    assert questions.filter(state=Question.State.APPROVED, answered_at__isnull=False).count() == 1
    assert questions.filter(state=Question.State.AWAITING).count() == 1
    assert questions.filter(state=Question.State.FLAGGED).count() == 1
    assert meeting.current_question.state == Question.State.APPROVED

    page = client.get(reverse("meetings:live", kwargs={"public_id": event.public_id}))
    assert page.status_code == 200
    live = client.get(reverse("meetings:live_json", kwargs={"public_id": event.public_id}))
    assert live.status_code == 200
    assert len(live.json()["questions"]) == questions.filter(state=Question.State.APPROVED).count()


def test_a_live_meeting_that_has_ended_is_moved_to_now_on_the_next_load(demo, demo_ctx):
    event = live_event()
    Event.objects.filter(pk=event.pk).update(
        starts_at=event.starts_at - dt.timedelta(days=2), ends_at=event.ends_at - dt.timedelta(days=2)
    )

    step_neighbourhood_life(demo_ctx)

    event.refresh_from_db()
    assert event.starts_at < timezone.now() < event.ends_at
    assert event.sequence == 1
    assert event.revisions.filter(sequence=1, action="changed").exists()


def test_residents_concerns_are_shown_in_some_places_and_withheld_in_others(demo):
    months = set(ConcernResponse.objects.values_list("month", flat=True))
    current = month_of(timezone.localdate())
    assert months == {month_shift(current, -n) for n in range(4)}
    last = month_shift(current, -1)
    shown = withheld = 0
    for nbh in Neighbourhood.objects.filter(concern_responses__month=last).distinct():
        results = public_results(nbh, last)
        if results.responses is None:
            withheld += 1
        else:
            assert results.responses >= public_threshold()
            assert any(row.count for row in results.rows)
            shown += 1
    assert shown >= 3
    assert withheld >= 2


def test_loading_again_makes_nothing_new(demo, demo_ctx):
    before = counts()
    public_ids = sorted(map(str, Event.objects.values_list("public_id", flat=True)))

    load(demo_ctx)

    assert counts() == before
    assert sorted(map(str, Event.objects.values_list("public_id", flat=True))) == public_ids


def test_a_demo_neighbourhood_s_page_shows_its_crime_priorities_and_events(demo, client):
    nbh = live_event().neighbourhood
    page = client.get(reverse("areas:neighbourhood", kwargs={"code": nbh.code}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Crime in your area" in html
    assert "You said, we did" in html
    assert "Upcoming events" in html
    current = Priority.objects.filter(neighbourhood=nbh).exclude(status=Status.DONE).first()
    assert current is not None
    assert current.issue.split(",")[0][:30] in html
