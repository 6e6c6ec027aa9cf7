"""The triage queue's reads: scope, filters, order, pages without a full count, capped counts, SLA states,
and who a report may be assigned to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openbeat.reports import selectors
from openbeat.reports.models import Report
from openbeat.reports.tests import triage_world as world
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)

# The shared fixtures (triage_world), bound here so that pytest finds them.
abbey, castle, crime_type, complaint_type = world.abbey, world.castle, world.crime_type, world.complaint_type
owner, other_division, contact, standards = world.owner, world.other_division, world.contact, world.standards
standards_group = world.standards_group


def refs(reports) -> list[str]:
    return [r.reference for r in reports]


def report(reference, neighbourhood, report_type, **kwargs) -> Report:
    return ReportFactory(reference=reference, neighbourhood=neighbourhood, report_type=report_type, **kwargs)


# SLA state


@pytest.mark.parametrize(
    ("hours_old", "status", "expected"),
    [
        (0, "new", "ok"),
        (47.9, "triaged", "ok"),
        (48, "assigned", "amber"),
        (119.9, "awaiting_reporter", "amber"),
        (120, "new", "red"),
        (500, "new", "red"),
        (500, "closed", "closed"),
    ],
)
def test_sla_state_turns_amber_then_red_by_the_types_hours(hours_old, status, expected, abbey, crime_type):
    r = report("R1", abbey, crime_type, status=status, created_at=NOW - dt.timedelta(hours=hours_old))
    assert selectors.sla_state(r, NOW) == expected


# Scope


@pytest.fixture
def spread(abbey, castle, crime_type, complaint_type):
    """A crime in each division, one with no location (force-wide) and a complaint in the west."""
    return {
        "west": report("WEST", abbey, crime_type),
        "east": report("EAST", castle, crime_type),
        "nowhere": report("NOWHERE", None, crime_type, division=None),
        "complaint": report("COMPLAINT", abbey, complaint_type),
    }


def test_division_staff_see_their_divisions_reports_but_not_complaints(owner, other_division, spread):
    assert refs(selectors.queue_for(owner, {}, NOW)) == ["WEST"]
    assert refs(selectors.queue_for(other_division, {}, NOW)) == ["EAST"]


def test_the_contact_centre_sees_every_division_and_the_force_wide_queue_but_not_complaints(contact, spread):
    assert sorted(refs(selectors.queue_for(contact, {}, NOW))) == ["EAST", "NOWHERE", "WEST"]


def test_professional_standards_see_complaints_only(standards, spread):
    assert refs(selectors.queue_for(standards, {}, NOW)) == ["COMPLAINT"]


def test_report_detail_is_none_outside_the_scope(owner, spread):
    assert selectors.report_detail(owner, spread["west"].pk) == spread["west"]
    for name in ("east", "nowhere", "complaint"):
        assert selectors.report_detail(owner, spread[name].pk) is None


# Order and filters


def test_the_queue_is_ordered_by_red_time_most_urgent_first(owner, abbey, crime_type):
    quick = ReportTypeFactory(slug="test-quick", sla_amber_hours=1, sla_red_hours=2)
    report("LATER", abbey, crime_type, created_at=NOW - dt.timedelta(hours=10))  # red at +110 h
    report("SOONEST", abbey, quick, created_at=NOW)  # red at +2 h
    report("MIDDLE", abbey, crime_type, created_at=NOW - dt.timedelta(hours=100))  # red at +20 h
    assert refs(selectors.queue_for(owner, {}, NOW)) == ["SOONEST", "MIDDLE", "LATER"]


def test_status_filter_defaults_to_open_reports(owner, abbey, crime_type):
    for status in Report.Status.values:
        report(status.upper(), abbey, crime_type, status=status)
    open_refs = sorted(refs(selectors.queue_for(owner, {}, NOW)))
    assert open_refs == ["ASSIGNED", "AWAITING_REPORTER", "NEW", "TRIAGED"]
    assert refs(selectors.queue_for(owner, {"status": "closed"}, NOW)) == ["CLOSED"]
    assert refs(selectors.queue_for(owner, {"status": "triaged"}, NOW)) == ["TRIAGED"]
    assert len(selectors.queue_for(owner, {"status": "all"}, NOW)) == 5


def test_filters_by_type_division_neighbourhood_and_force_wide_queue(contact, spread, abbey, castle, crime_type):
    other_type = ReportTypeFactory(slug="test-lost")
    report("LOST", castle, other_type)
    assert refs(selectors.queue_for(contact, {"report_type": other_type}, NOW)) == ["LOST"]
    assert sorted(refs(selectors.queue_for(contact, {"division": castle.division_id}, NOW))) == ["EAST", "LOST"]
    assert refs(selectors.queue_for(contact, {"neighbourhood": abbey}, NOW)) == ["WEST"]
    assert refs(selectors.queue_for(contact, {"division": selectors.NO_DIVISION}, NOW)) == ["NOWHERE"]


def test_filters_by_age(owner, abbey, crime_type):
    report("HOURS", abbey, crime_type, created_at=NOW - dt.timedelta(hours=3))
    report("DAYS", abbey, crime_type, created_at=NOW - dt.timedelta(days=3))
    report("WEEKS", abbey, crime_type, created_at=NOW - dt.timedelta(days=10))
    assert refs(selectors.queue_for(owner, {"age": "lt1", "status": "all"}, NOW)) == ["HOURS"]
    assert sorted(refs(selectors.queue_for(owner, {"age": "gt1", "status": "all"}, NOW))) == ["DAYS", "WEEKS"]
    assert refs(selectors.queue_for(owner, {"age": "gt7", "status": "all"}, NOW)) == ["WEEKS"]
    assert refs(selectors.queue_for(owner, {"age": "gt30", "status": "all"}, NOW)) == []


def test_filters_by_assignment(owner, abbey, crime_type, west):
    colleague = staff_user(roles.DIVISION_LEAD, west, username="colleague")
    report("MINE", abbey, crime_type, assigned_to=owner, status="assigned")
    report("THEIRS", abbey, crime_type, assigned_to=colleague, status="assigned")
    report("TEAM", abbey, crime_type, assigned_team="Roads policing", status="assigned")
    report("NOBODY", abbey, crime_type)
    assert refs(selectors.queue_for(owner, {"assigned": "me"}, NOW)) == ["MINE"]
    assert refs(selectors.queue_for(owner, {"assigned": "unassigned"}, NOW)) == ["NOBODY"]


def test_filters_by_sla_state_open_reports_only(owner, abbey, crime_type):
    report("OK", abbey, crime_type, created_at=NOW - dt.timedelta(hours=1))
    report("AMBER", abbey, crime_type, created_at=NOW - dt.timedelta(hours=50))
    report("RED", abbey, crime_type, created_at=NOW - dt.timedelta(hours=200))
    report("RED_BUT_CLOSED", abbey, crime_type, created_at=NOW - dt.timedelta(hours=200), status="closed")
    for sla in ("ok", "amber", "red"):
        assert refs(selectors.queue_for(owner, {"sla": sla, "status": "all"}, NOW)) == [sla.upper()]


def test_closed_reports_list_the_most_recently_due_first(owner, abbey, crime_type):
    report("OLD", abbey, crime_type, created_at=NOW - dt.timedelta(days=9), status="closed")
    report("RECENT", abbey, crime_type, created_at=NOW - dt.timedelta(days=1), status="closed")
    assert refs(selectors.queue_for(owner, {"status": "closed"}, NOW)) == ["RECENT", "OLD"]


# Pages and counts


def test_pages_know_whether_there_is_a_next_one_without_counting(owner, abbey, crime_type):
    for n in range(5):
        report(f"R{n}", abbey, crime_type, created_at=NOW - dt.timedelta(hours=n))
    queue = selectors.queue_for(owner, {}, NOW)
    first = selectors.queue_page(queue, 1, per_page=2)
    assert (refs(first.reports), first.has_previous, first.has_next) == (["R4", "R3"], False, True)
    last = selectors.queue_page(queue, 3, per_page=2)
    assert (refs(last.reports), last.has_previous, last.has_next) == (["R0"], True, False)
    assert selectors.queue_page(queue, "rubbish", per_page=2).number == 1
    assert selectors.queue_page(queue, "-4", per_page=2).number == 1
    assert selectors.queue_page(queue, 99, per_page=2).reports == []


def test_status_counts_follow_the_other_filters_and_stop_at_the_cap(owner, abbey, crime_type, castle):
    for n in range(4):
        report(f"NEW{n}", abbey, crime_type)
    report("TRIAGED", abbey, crime_type, status="triaged")
    report("EAST", castle, crime_type)
    counts = {c.status: c for c in selectors.status_counts(owner, {}, NOW, cap=3)}
    assert (counts["new"].count, counts["new"].capped, counts["new"].display) == (3, True, "3+")
    assert (counts["triaged"].count, counts["triaged"].capped, counts["triaged"].display) == (1, False, "1")
    assert counts["closed"].count == 0
    other = ReportTypeFactory(slug="test-other")
    report("OTHER", abbey, other)
    by_type = {c.status: c.count for c in selectors.status_counts(owner, {"report_type": other}, NOW)}
    assert by_type == {"new": 1, "triaged": 0, "assigned": 0, "awaiting_reporter": 0, "closed": 0}


def test_filter_choices_are_the_users_scope(owner, contact, standards, abbey, castle, crime_type, complaint_type):
    assert list(selectors.neighbourhoods_for(owner)) == [abbey]
    assert list(selectors.divisions_for(owner)) == [abbey.division]
    assert set(selectors.divisions_for(contact)) == {abbey.division, castle.division}
    # Types with no handling team are everyone's (the seeded defaults too); a complaint is its team's only.
    assert crime_type in selectors.report_types_for(owner)
    assert complaint_type not in selectors.report_types_for(owner)
    assert {crime_type, complaint_type} <= set(selectors.report_types_for(standards))


# Assignees


def test_assignees_are_staff_who_may_handle_the_report(owner, other_division, contact, standards, abbey, crime_type):
    board = staff_user(roles.BOARD_VIEWER, None, username="board")
    west_lead = staff_user(roles.DIVISION_LEAD, abbey.division, username="lead")
    people = selectors.report_assignees(report("WEST", abbey, crime_type))
    assert set(people) == {owner, west_lead, contact}
    assert board not in people
    assert other_division not in people
    assert standards not in people


def test_a_complaints_assignees_are_professional_standards_only(owner, contact, standards, abbey, complaint_type):
    people = selectors.report_assignees(report("COMPLAINT", abbey, complaint_type))
    assert people == [standards]


def test_a_force_wide_reports_assignees_are_force_wide_staff(owner, contact, crime_type):
    people = selectors.report_assignees(report("NOWHERE", None, crime_type, division=None))
    assert people == [contact]


def test_the_queue_works_with_the_real_clock(owner, abbey, crime_type):
    report("NOW", abbey, crime_type)
    (only,) = selectors.queue_for(owner, {}, timezone.now())
    assert selectors.sla_state(only, timezone.now()) == "ok"
