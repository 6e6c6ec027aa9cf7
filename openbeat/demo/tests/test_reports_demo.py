"""The demo's reports: a few hundred across types, states and divisions, believable, and loading twice
changes nothing."""

from __future__ import annotations

import pytest

from openbeat.demo.reports import COUNT, reports_reset, step_reports
from openbeat.demo.steps import demo_context, step_force, step_geography, step_staff, step_teams
from openbeat.reports import questions
from openbeat.reports.models import ReferenceCounter, Report, ReportType
from openbeat.reports.permissions import can_handle
from openbeat.reports.references import reference_next

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    ctx = demo_context()
    for step in (step_force, step_geography, step_teams, step_staff):
        step(ctx)
    return ctx, step_reports(ctx)


def test_the_demo_has_reports_of_every_type_state_and_division(demo):
    ctx, said = demo
    assert said.startswith(f"{COUNT} new reports")
    assert Report.objects.count() == COUNT
    assert set(Report.objects.values_list("report_type__slug", flat=True)) == set(
        ReportType.objects.values_list("slug", flat=True)
    )
    assert set(Report.objects.values_list("status", flat=True)) == set(Report.Status.values)
    closed = Report.objects.filter(status=Report.Status.CLOSED)
    assert {r.outcome for r in closed} >= {"crime_recorded", "nfa", "passed_on", "resolved"}
    assert all(r.outcome for r in closed)
    assert all(r.outcome_detail.startswith("CRN ") for r in closed if r.outcome == "crime_recorded")
    assert {r.division.name for r in Report.objects.exclude(division=None)} == {"West", "Central", "East"}
    assert Report.objects.filter(division=None).exists()
    assert "standards" in [login["username"] for login in ctx.logins]


def test_demo_reports_are_consistent_with_what_the_journey_would_have_stored(demo):
    for report in Report.objects.select_related("report_type").prefetch_related("report_type__questions"):
        assert questions.validate_answers(report.report_type, report.answers) == {}, report.reference
        assert report.sla_amber_at < report.sla_red_at
        if report.assigned_to is not None:
            assert can_handle(report.assigned_to, report), report.reference


def test_loading_again_changes_nothing_and_new_references_follow_the_demos(demo):
    ctx, _ = demo
    before = list(Report.objects.order_by("reference").values_list("reference", "status", "report_type__slug"))
    assert step_reports(ctx).startswith("0 new reports")
    assert list(Report.objects.order_by("reference").values_list("reference", "status", "report_type__slug")) == before
    year = max(ReferenceCounter.objects.values_list("year", flat=True))
    demo_numbers = [int(r.rsplit("-", 1)[1]) for r, *_ in before if f"-{year}-" in r]
    assert int(reference_next().rsplit("-", 1)[1]) == max(demo_numbers) + 1


def test_reset_removes_the_reports_so_the_geography_can_go(demo):
    assert reports_reset() == COUNT
    assert not Report.objects.exists()
