"""The staff home in Debian's chromium: a division lead's day (a new report, an overdue one, an alert awaiting
their approval) with axe, every panel's link reachable with the keyboard, and the force's name in the frame."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openbeat.alerts.models import Alert
from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory
from openbeat.reports.models import Report
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory
from openbeat.staff import roles
from openbeat.staff.tests.browser import sign_in
from openbeat.staff.tests.factories import staff_user
from openbeat.subscriptions.models import Interest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day():
    west = DivisionFactory(name="West", code="west")
    abbey = NeighbourhoodFactory(name="Abbey", code="W01", division=west)
    kind = ReportTypeFactory(slug="home-crime", name="Report a crime", sla_amber_hours=48, sla_red_hours=120)
    ReportFactory(reference="LC-2026-000401", neighbourhood=abbey, report_type=kind, created_at=timezone.now())
    ReportFactory(
        reference="LC-2026-000402",
        neighbourhood=abbey,
        report_type=kind,
        status=Report.Status.TRIAGED,
        created_at=timezone.now() - dt.timedelta(days=6),
    )
    officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west")
    staff_user(roles.DIVISION_LEAD, west, username="lead.west", first_name="Sam", last_name="Lead")
    interest = Interest.objects.get_or_create(
        slug="crime-alerts", defaults={"name": "Crime alerts and appeals", "kind": "topic", "bit": 0}
    )[0]
    return Alert.objects.create(
        title="Van thefts in Abbey",
        body="Lock your van.",
        interest=interest,
        created_by=officer,
        division=west,
        state=Alert.State.AWAITING_APPROVAL,
        submitted_at=timezone.now(),
    )


def test_a_division_leads_home_shows_the_days_work_accessibly(live_server, page, day, assert_accessible):
    sign_in(page, live_server, "lead.west")
    expect(page.locator("[data-home-intro]")).to_contain_text("Division lead")
    expect(page.locator("[data-home-intro]")).to_contain_text("West division")
    for heading in ["Urgent replies", "Reports waiting", "Overdue and due soon", "Alerts awaiting my approval"]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator('[data-home-panel="reports_waiting"]')).to_contain_text("LC-2026-000401")
    expect(page.locator('[data-home-panel="reports_overdue"]')).to_contain_text("Overdue (red)")
    expect(page.locator('[data-home-empty="urgent_replies"]')).to_have_text("No urgent replies are waiting.")
    assert_accessible(page, "staff home")

    # Every link of the panels is reached with Tab alone, and Enter on one opens it.
    wanted = {"LC-2026-000401", "LC-2026-000402", "Van thefts in Abbey", "All alerts awaiting approval"}
    seen: set[str] = set()
    for _ in range(150):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("document.activeElement.textContent.trim()"))
        if wanted <= seen:
            break
    assert wanted <= seen, wanted - seen
    page.locator('[data-home-panel="alerts_awaiting_approval"] a', has_text="Van thefts in Abbey").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/admin/alerts/{day.pk}/$"))
