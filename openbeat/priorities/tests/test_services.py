"""Priorities' services and selectors: scope, audit, history kept in order, drafts hidden, data.police.uk shape."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openbeat.audit.models import AuditEntry
from openbeat.priorities import selectors, services
from openbeat.priorities.models import Priority, Source, Status
from openbeat.staff.roles import CONTACT_CENTRE
from openbeat.staff.tests.factories import staff_user

pytestmark = pytest.mark.django_db
DAY = datetime.date


def test_an_officer_sets_a_priority_for_their_division_and_it_is_audited(make_priority, officer):
    priority = make_priority(source_kind=Source.PACT, source_reference="PACT, 8 Jan 2026, Village Hall")
    assert priority.status == Status.OPEN
    entry = AuditEntry.objects.get(action="priorities.priority.create")
    assert entry.actor == officer
    assert entry.target_id == str(priority.pk)


def test_another_division_or_an_outsider_cannot_set_or_change_a_priority(make_priority, other_officer, home):
    with pytest.raises(PermissionDenied):
        make_priority(actor=other_officer)
    priority = make_priority()
    with pytest.raises(PermissionDenied):
        services.priority_edit(actor=other_officer, priority=priority, issue="Hijacked")
    with pytest.raises(PermissionDenied):
        services.priority_update_add(
            actor=other_officer, priority=priority, date=DAY(2026, 2, 1), status=Status.DONE, note="x", outcome="y"
        )
    contact = staff_user(CONTACT_CENTRE, None, username="cc")  # force-wide, but without the permission
    with pytest.raises(PermissionDenied):
        make_priority(actor=contact)


def test_a_force_wide_role_manages_every_division(make_priority, hq, away):
    assert make_priority(actor=hq, neighbourhood=away).neighbourhood == away


def test_updates_keep_the_history_in_date_order_and_done_records_the_outcome(make_priority, officer):
    priority = make_priority()
    services.priority_update_add(
        actor=officer, priority=priority, date=DAY(2026, 3, 1), status=Status.DONE, note="Closed", outcome="12 tickets"
    )
    services.priority_update_add(
        actor=officer, priority=priority, date=DAY(2026, 2, 1), status=Status.IN_PROGRESS, note="Checks started"
    )
    priority.refresh_from_db()
    history = [(u.date, u.status, u.note) for u in priority.updates.all()]
    assert history == [
        (DAY(2026, 2, 1), Status.IN_PROGRESS, "Checks started"),
        (DAY(2026, 3, 1), Status.DONE, "Closed"),
    ]
    # The latest added wins the status (the February note was added last); March's "done" stays in the history.
    assert priority.status == Status.IN_PROGRESS
    assert priority.date_done is None
    assert AuditEntry.objects.filter(action="priorities.priority.update_added").count() == 2


def test_done_needs_an_outcome_and_an_update_cannot_predate_the_priority(make_priority, officer):
    priority = make_priority()
    with pytest.raises(ValidationError):
        services.priority_update_add(
            actor=officer, priority=priority, date=DAY(2026, 2, 1), status=Status.DONE, note="x"
        )
    with pytest.raises(ValidationError):
        services.priority_update_add(
            actor=officer, priority=priority, date=DAY(2025, 1, 1), status=Status.OPEN, note="x"
        )
    assert not priority.updates.exists()


def test_editing_logs_the_fields_changed_and_publishing(make_priority, officer):
    priority = make_priority(published=False)
    services.priority_edit(actor=officer, priority=priority, published=True, issue="Speeding on Mill Lane")
    assert AuditEntry.objects.get(action="priorities.priority.published").data == {"fields": ["published"]}
    with pytest.raises(ValueError, match="Not editable"):
        services.priority_edit(actor=officer, priority=priority, status=Status.DONE)


def test_drafts_are_left_out_of_every_public_read(make_priority, home):
    shown = make_priority()
    make_priority(published=False, issue="Draft")
    assert list(selectors.published_priorities(home)) == [shown]
    section = selectors.neighbourhood_priorities_section(home)
    assert [p for p, _ in section["current"]] == [shown]
    assert len(selectors.priorities_police_api(home)) == 1


def test_the_section_gives_the_latest_update_and_done_ones_with_their_outcome(make_priority, officer, home):
    current = make_priority()
    services.priority_update_add(actor=officer, priority=current, date=DAY(2026, 1, 20), status=Status.OPEN, note="A")
    services.priority_update_add(actor=officer, priority=current, date=DAY(2026, 1, 25), status=Status.OPEN, note="B")
    done = make_priority(issue="Drug dealing in the park")
    services.priority_update_add(
        actor=officer, priority=done, date=DAY(2026, 2, 2), status=Status.DONE, note="Done", outcome="Two arrests"
    )
    section = selectors.neighbourhood_priorities_section(home)
    assert [(p, u.note) for p, u in section["current"]] == [(current, "B")]
    assert section["done"] == [Priority.objects.get(pk=done.pk)]


def _fixtures(shared_data):
    folder = shared_data / "police-api-fixtures" / "police-data-kit"
    return [
        json.loads((folder / name).read_text())
        for name in ("neighbourhood-priority.json", "neighbourhood-priority-no-action.json")
    ]


def test_the_police_api_shape_matches_the_recorded_response(shared_data, make_priority, officer, home):
    recorded, recorded_no_action = _fixtures(shared_data)
    done = make_priority(issue="Street drinking", date_set=DAY(2015, 10, 8))
    services.priority_update_add(
        actor=officer, priority=done, date=DAY(2015, 12, 22), status=Status.DONE, note="Closed", outcome="Closed it"
    )
    make_priority(issue="ASB", action="", date_set=DAY(2016, 4, 14))
    rows = selectors.priorities_police_api(home)
    assert [set(row) for row in rows] == [set(recorded_no_action), set(recorded)]
    assert rows[0] == {"issue": "ASB", "issue-date": "2016-04-14T00:00:00", "action": None, "action-date": None}
    assert rows[0]["action"] is recorded_no_action["action"] is None
    assert rows[1] == {
        "issue": "Street drinking",
        "issue-date": recorded["issue-date"],
        "action": "Closed it",
        "action-date": recorded["action-date"],
    }


def test_an_open_priority_gives_its_planned_action_without_a_date(make_priority, home):
    make_priority(action="Patrols")
    assert selectors.priorities_police_api(home)[0]["action"] == "Patrols"
    assert selectors.priorities_police_api(home)[0]["action-date"] is None
