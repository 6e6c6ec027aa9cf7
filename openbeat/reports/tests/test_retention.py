"""Reporters' contact details are forgotten a set time after their report is closed; the report stays."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.reports.models import Report
from openbeat.reports.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db

CONTACT = {"reporter_name": "Sam Resident", "reporter_email": "sam@example.com", "reporter_phone": "07700900982"}


def _report(*, closed_days_ago: int | None, **fields) -> Report:
    closed = closed_days_ago is not None
    return ReportFactory(
        **CONTACT,
        status=Report.Status.CLOSED if closed else Report.Status.NEW,
        closed_at=timezone.now() - timedelta(days=closed_days_ago) if closed else None,
        **fields,
    )


def _contact(report: Report) -> tuple[str, str, str]:
    report.refresh_from_db()
    return report.reporter_name, report.reporter_email, report.reporter_phone


def test_only_reports_closed_long_enough_ago_lose_the_contact_details(settings):
    settings.REPORTS_CONTACT_RETENTION_DAYS = 30
    old = _report(closed_days_ago=31, answers={"what": "Bins on fire"})
    recent = _report(closed_days_ago=29)
    still_open = _report(closed_days_ago=None)
    out = StringIO()

    call_command("reports_retention", stdout=out)

    assert _contact(old) == ("", "", "")
    assert old.answers == {"what": "Bins on fire"}
    assert _contact(recent) == tuple(CONTACT.values())
    assert _contact(still_open) == tuple(CONTACT.values())
    assert "removed from 1 report(s) closed more than 30 days ago" in out.getvalue()
    (entry,) = AuditEntry.objects.filter(action="reports.reporter.expired")
    assert entry.data["reports"] == 1
    assert "sam@example.com" not in str(entry.data)


def test_a_second_run_finds_nothing_more_and_logs_nothing():
    _report(closed_days_ago=400)
    call_command("reports_retention", "--days", "365", stdout=StringIO())
    out = StringIO()

    call_command("reports_retention", "--days", "365", stdout=out)

    assert "removed from 0 report(s)" in out.getvalue()
    assert AuditEntry.objects.filter(action="reports.reporter.expired").count() == 1
