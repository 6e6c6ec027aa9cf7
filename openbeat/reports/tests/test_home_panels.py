"""Do It Online on the staff home (/admin/): new reports waiting and overdue ones, for the owner (same division),
another division's staff and an outsider."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openbeat.reports.models import Report
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user
from openbeat.staff.tests.home import home, section

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(west):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="owner")


@pytest.fixture
def other_division(east):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, east, username="other")


@pytest.fixture
def outsider():
    return staff_user(roles.BOARD_VIEWER, None, username="board")


@pytest.fixture
def reports(west):
    kind = ReportTypeFactory(slug="home-crime", name="Report a crime", sla_amber_hours=48, sla_red_hours=120)
    now = timezone.now()
    return {
        "new": ReportFactory(reference="LC-2026-000301", division=west, report_type=kind, created_at=now),
        "red": ReportFactory(
            reference="LC-2026-000302",
            division=west,
            report_type=kind,
            status=Report.Status.TRIAGED,
            created_at=now - dt.timedelta(days=6),
        ),
        "amber": ReportFactory(
            reference="LC-2026-000303",
            division=west,
            report_type=kind,
            status=Report.Status.TRIAGED,
            created_at=now - dt.timedelta(days=3),
        ),
        "closed": ReportFactory(
            reference="LC-2026-000304",
            division=west,
            report_type=kind,
            status=Report.Status.CLOSED,
            created_at=now - dt.timedelta(days=9),
        ),
    }


def test_the_owner_sees_new_reports_waiting_with_a_link_to_the_queue(owner, reports):
    waiting = section(home(owner), "reports_waiting")
    assert "Reports waiting" in waiting
    assert "LC-2026-000301" in waiting
    assert "LC-2026-000302" not in waiting  # triaged already
    assert 'href="/admin/reports/?status=new"' in waiting


def test_the_owner_sees_overdue_and_due_soon_reports_red_first_in_plain_words(owner, reports):
    overdue = section(home(owner), "reports_overdue")
    assert overdue.index("LC-2026-000302") < overdue.index("LC-2026-000303")
    assert "Overdue (red)" in overdue
    assert "Due soon (amber)" in overdue
    assert "LC-2026-000301" not in overdue  # within time
    assert "LC-2026-000304" not in overdue  # closed
    assert 'href="/admin/reports/"' in overdue


def test_another_divisions_staff_see_none_of_these_reports(other_division, reports):
    page = home(other_division)
    assert "No new reports are waiting." in section(page, "reports_waiting")
    assert "No open report is overdue or due soon." in section(page, "reports_overdue")
    assert "LC-2026-0003" not in page


def test_staff_who_do_not_triage_have_no_report_panels(outsider, reports):
    page = home(outsider)
    assert 'id="home-reports_waiting-section"' not in page
    assert 'id="home-reports_overdue-section"' not in page
    assert "LC-2026-0003" not in page


def test_force_wide_staff_see_every_divisions_reports(reports):
    contact = staff_user(roles.CONTACT_CENTRE, None, username="contact")
    assert "LC-2026-000301" in section(home(contact), "reports_waiting")
