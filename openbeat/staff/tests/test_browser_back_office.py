"""The back office works in a real browser under its content security policy."""

import pytest
from playwright.sync_api import expect

from openbeat.areas.tests.factories import DivisionFactory, StationFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_division_lead_signs_in_and_edits_a_station_with_no_policy_violations(live_server, page, console_errors):
    from openbeat.core.services import site_pages_ensure

    site_pages_ensure()
    west = DivisionFactory(name="West", code="west")
    station = StationFactory(name="Ashbridge Police Station", neighbourhood__division=west)
    staff_user(roles.DIVISION_LEAD, west, username="lead.west")

    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("lead.west")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/admin/")

    page.goto(f"{live_server.url}/admin/stations/edit/{station.pk}/")
    page.get_by_label("Phone").fill("01234 567890")
    page.get_by_role("button", name="Save").first.click()
    expect(page.locator(".messages .success")).to_contain_text("Ashbridge Police Station")
    station.refresh_from_db()
    assert station.phone == "01234 567890"
    assert [e for e in console_errors if "Content Security Policy" in e] == []
