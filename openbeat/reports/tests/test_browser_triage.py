"""An officer works a report through the triage queue in Debian's chromium, with the keyboard alone: filter the
queue, open the report, triage it, add a note, close it with an outcome. Axe on every page, no CSP errors."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory
from openbeat.reports.models import Report, ReportEvent
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory
from openbeat.staff import roles
from openbeat.staff.tests.browser import sign_in
from openbeat.staff.tests.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def crime():
    west = DivisionFactory(name="West", code="west")
    abbey = NeighbourhoodFactory(name="Abbey", code="W01", division=west)
    crime_type = ReportTypeFactory(slug="test-crime", name="Report a crime", sla_amber_hours=48, sla_red_hours=120)
    staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west")
    ReportFactory(
        reference="LC-2026-000201",
        neighbourhood=abbey,
        report_type=crime_type,
        status=Report.Status.TRIAGED,
        created_at=timezone.now() - dt.timedelta(days=1),
    )
    return ReportFactory(
        reference="LC-2026-000202",
        neighbourhood=abbey,
        report_type=crime_type,
        reporter_name="Robin Reporter",
        answers_shown=[{"key": "what", "label": "What happened?", "answer": "My shed was broken into."}],
        created_at=timezone.now() - dt.timedelta(days=6),
    )


def press(page, locator, key="Enter"):
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def choose(page, label, option_label):
    """Pick an option of a <select> with the keyboard: focus it, then type the option's first letters."""
    select = page.get_by_label(label, exact=True)
    select.focus()
    page.keyboard.type(option_label)
    expect(select.locator("option:checked")).to_have_text(option_label)


def test_an_officer_triages_notes_and_closes_a_report_with_the_keyboard(
    live_server, page, crime, assert_accessible, console_errors
):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/reports/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Triage queue")
    rows = page.locator("table.ob-queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("LC-2026-000202")  # red first
    expect(rows.first).to_contain_text("Overdue (red)")
    expect(page.get_by_text("Robin Reporter")).to_have_count(0)
    assert_accessible(page, "triage queue")

    # Only the new ones, chosen and applied from the keyboard.
    choose(page, "Status", "New")
    press(page, page.get_by_role("button", name="Filter"))
    expect(page).to_have_url(re.compile(r"status=new"))
    expect(rows).to_have_count(1)
    assert_accessible(page, "filtered queue")

    press(page, page.get_by_role("link", name="LC-2026-000202"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("LC-2026-000202")
    expect(page.get_by_text("My shed was broken into.")).to_be_visible()
    assert_accessible(page, "report page")

    press(page, page.get_by_role("button", name="Triage", exact=True))
    expect(page.get_by_text("LC-2026-000202 triaged.")).to_be_visible()
    expect(page.locator('[data-field="status"]')).to_have_text("Triaged")

    page.get_by_role("textbox", name="Internal note").focus()
    page.keyboard.type("Neighbour has a doorbell camera.")
    press(page, page.get_by_role("button", name="Add note"))
    expect(page.get_by_text("Note added.")).to_be_visible()
    expect(page.locator('[data-event="note"]')).to_contain_text("Neighbour has a doorbell camera.")

    # Closing without an outcome is refused, with the reason beside the field; then closed properly.
    choose(page, "Status", "Closed")
    press(page, page.get_by_role("button", name="Change status"))
    expect(page.get_by_text("Choose an outcome to close the report")).to_be_visible()
    assert_accessible(page, "report page with an error")
    choose(page, "Status", "Closed")
    choose(page, "Outcome", "No further action")
    page.get_by_label("Note for the public").focus()
    page.keyboard.type("Thank you. We have looked into this.")
    press(page, page.get_by_role("button", name="Change status"))
    expect(page.locator('[data-field="status"]')).to_have_text("Closed: No further action")
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")  # Wagtail fades its messages in
    assert_accessible(page, "closed report")

    report = Report.objects.get(reference="LC-2026-000202")
    assert (report.status, report.outcome, report.public_note) == (
        "closed",
        "nfa",
        "Thank you. We have looked into this.",
    )
    assert ReportEvent.objects.filter(report=report, kind="note").count() == 1

    # Closed, so the reporter's details can be erased at their request, with the keyboard.
    page.get_by_label("Why the reporter's contact details are being erased").focus()
    page.keyboard.type("Erasure request DP-SAR-17")
    press(page, page.get_by_role("button", name="Erase the reporter's contact details"))
    expect(page.get_by_text("The reporter's contact details were erased.")).to_be_visible()
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")
    assert_accessible(page, "report after erasing the reporter's details")
    report.refresh_from_db()
    assert (report.reporter_name, report.reporter_email) == ("", "")
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_the_queues_filters_leave_the_first_report_above_the_fold(live_server, page, crime, assert_accessible):
    # Seven filters stacked one per row once pushed the list below the fold on a 1280x800 screen.
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/reports/")
    first = page.locator("table.ob-queue tbody tr").first
    expect(first).to_contain_text("LC-2026-000202")
    assert page.evaluate("window.scrollY") == 0
    box = first.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 800, box
    # The filters share rows: the first and the fourth sit on the same line.
    labels = page.locator("form.ob-queue-filters .w-field__wrapper")
    assert labels.nth(0).bounding_box()["y"] == labels.nth(3).bounding_box()["y"]
    assert_accessible(page, "triage queue at 1280x800")
