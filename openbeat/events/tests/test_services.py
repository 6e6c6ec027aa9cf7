"""events.services: who may create and change which events, validation, history, sequence and cancelling."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from openbeat.audit.models import AuditEntry
from openbeat.events.models import Event
from openbeat.events.services import (
    EventPermissionError,
    EventStateError,
    event_cancel,
    event_create,
    event_publish,
    event_update,
)
from openbeat.events.tests.conftest import event_values

pytestmark = pytest.mark.django_db


def test_an_officer_creates_a_draft_in_their_neighbourhood(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    assert event.state == Event.State.DRAFT
    assert event.division == world.west
    assert not event.force_wide
    assert event.sequence == 0
    assert AuditEntry.objects.filter(action="events.event.create", target_id=str(event.pk)).exists()


def test_a_division_event_has_no_neighbourhood(world):
    event = event_create(author=world.lead, division=world.west, **event_values())
    assert event.neighbourhood is None
    assert event.division == world.west


def test_an_officer_cannot_create_in_another_division(world):
    with pytest.raises(EventPermissionError):
        event_create(author=world.other, neighbourhood=world.abbey, **event_values())
    with pytest.raises(EventPermissionError):
        event_create(author=world.other, division=world.west, **event_values())


def test_only_force_wide_staff_create_force_wide_events(world):
    with pytest.raises(EventPermissionError):
        event_create(author=world.lead, force_wide=True, **event_values())
    event = event_create(author=world.hq, force_wide=True, **event_values(kind=Event.Kind.FORCE))
    assert event.force_wide
    assert event.division is None


def test_force_wide_staff_create_in_any_division(world):
    assert event_create(author=world.hq, neighbourhood=world.castle, **event_values()).division == world.east


def test_people_without_the_permission_are_refused(world):
    for user in (world.board, world.public):
        with pytest.raises(EventPermissionError):
            event_create(author=user, neighbourhood=world.abbey, **event_values())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"kind": "party"}, "kind"),
        ({"ends_at": None}, "ends_at"),
        ({"attendance": "teleport"}, "attendance"),
        ({"address": ""}, "address"),
        ({"lat": 54.0, "lon": None}, "lat"),
        ({"lat": 95.0}, "lat"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"online_url": ""}, "online_url"),
        ({"contact_email": "not an email"}, "contact_email"),
        ({"contact_phone": "call me"}, "contact_phone"),
    ],
)
def test_bad_fields_are_refused_by_name(world, changes, field):
    with pytest.raises(ValidationError) as caught:
        event_create(author=world.officer, neighbourhood=world.abbey, **event_values(**changes))
    assert field in caught.value.message_dict


def test_the_end_must_be_after_the_start(world):
    values = event_values()
    values["ends_at"] = values["starts_at"]
    with pytest.raises(ValidationError) as caught:
        event_create(author=world.officer, neighbourhood=world.abbey, **values)
    assert caught.value.message_dict["ends_at"] == ["The end must be after the start"]


def test_naive_datetimes_are_refused(world):
    values = event_values()
    values["starts_at"] = values["starts_at"].replace(tzinfo=None)
    with pytest.raises(ValidationError) as caught:
        event_create(author=world.officer, neighbourhood=world.abbey, **values)
    assert "starts_at" in caught.value.message_dict


def test_an_event_needs_a_scope(world):
    with pytest.raises(ValidationError) as caught:
        event_create(author=world.hq, **event_values())
    assert "scope" in caught.value.message_dict


def test_an_online_event_drops_the_place(world):
    event = event_create(
        author=world.officer, neighbourhood=world.abbey, **event_values(attendance=Event.Attendance.ONLINE)
    )
    assert event.address == ""
    assert event.lat is None


def test_london_times_are_kept_as_the_same_instant(world):
    london = ZoneInfo("Europe/London")
    start = event_values()["starts_at"].astimezone(london).replace(hour=19, minute=0)
    event = event_create(
        author=world.officer,
        neighbourhood=world.abbey,
        **event_values(starts_at=start, ends_at=start + timedelta(hours=2)),
    )
    event.refresh_from_db()
    assert event.starts_at.astimezone(london).hour == 19


def test_changing_a_draft_keeps_no_revision_and_no_sequence(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_update(event=event, editor=world.officer, title="PACT meeting (new room)")
    event.refresh_from_db()
    assert event.title == "PACT meeting (new room)"
    assert event.sequence == 0
    assert not event.revisions.filter(action="changed").exists()


def test_changing_a_published_event_bumps_the_sequence_and_keeps_history(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_publish(event=event, actor=world.officer)
    new_start = event.starts_at + timedelta(days=1)
    event_update(
        event=event, editor=world.lead, starts_at=new_start, ends_at=new_start + timedelta(hours=1), title="Moved"
    )
    event.refresh_from_db()
    assert event.sequence == 1
    revision = event.revisions.get(action="changed")
    assert revision.changed_by == world.lead
    assert revision.sequence == 1
    assert set(revision.changes) == {"title", "starts_at", "ends_at"}
    assert revision.changes["title"] == ["PACT meeting at the library", "Moved"]
    assert AuditEntry.objects.filter(action="events.event.change", target_id=str(event.pk)).exists()


def test_a_change_that_changes_nothing_is_no_revision(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_publish(event=event, actor=world.officer)
    event_update(event=event, editor=world.officer, title=event.title)
    event.refresh_from_db()
    assert event.sequence == 0


def test_another_division_cannot_change_or_move_an_event(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    with pytest.raises(EventPermissionError):
        event_update(event=event, editor=world.other, title="Mine now")
    with pytest.raises(EventPermissionError):
        event_update(event=event, editor=world.officer, neighbourhood=world.castle)


def test_cancelling_keeps_the_event_with_the_reason(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_publish(event=event, actor=world.officer)
    event_cancel(event=event, actor=world.officer, reason="The library is flooded")
    event.refresh_from_db()
    assert event.state == Event.State.CANCELLED
    assert event.cancel_reason == "The library is flooded"
    assert event.sequence == 1
    assert event.revisions.filter(action="cancelled").exists()
    assert AuditEntry.objects.filter(action="events.event.cancel").exists()
    with pytest.raises(EventStateError):
        event_update(event=event, editor=world.officer, title="Back on")
    with pytest.raises(EventStateError):
        event_publish(event=event, actor=world.officer)


def test_cancelling_needs_a_reason_and_a_published_event(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    with pytest.raises(EventStateError):
        event_cancel(event=event, actor=world.officer, reason="No")
    event_publish(event=event, actor=world.officer)
    with pytest.raises(ValidationError):
        event_cancel(event=event, actor=world.officer, reason="  ")
    with pytest.raises(EventPermissionError):
        event_cancel(event=event, actor=world.other, reason="Not yours")


def test_publishing_twice_is_one_publication(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_publish(event=event, actor=world.officer)
    event_publish(event=event, actor=world.officer)
    assert AuditEntry.objects.filter(action="events.event.publish").count() == 1
    assert event.revisions.filter(action="published").count() == 1
