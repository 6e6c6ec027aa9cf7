"""A resident voices their concerns with the keyboard alone, in Debian's chromium, and confirms from the email;
axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory
from openbeat.concerns.models import ConcernResponse
from openbeat.core.services import site_pages_ensure
from openbeat.subscriptions.tests.test_browser_signup import tab_to, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def place(settings, concerns):
    settings.MAP_TILE_URL = ""
    site_pages_ensure()
    return NeighbourhoodFactory(code="W01", name="Ashbridge", division=DivisionFactory(name="West", code="west"))


def test_a_resident_voices_concerns_by_keyboard_and_confirms_by_email(
    live_server, page, place, smtp_server, assert_accessible, console_errors
):
    page.goto(f"{live_server.url}/concerns/W01/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voice your concerns")
    assert_accessible(page, "form")
    for name in ("Speeding", "Anti-social behaviour", "Drug dealing", "Burglary"):
        tab_to(page, page.get_by_label(name, exact=True))
        page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Email address"))
    page.keyboard.type("resident@example.com")
    page.keyboard.press("Enter")
    summary = page.locator(".ob-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose up to 3 concerns")
    assert_accessible(page, "form with an error")
    expect(page.get_by_label("Email address")).to_have_value("resident@example.com")
    tab_to(page, page.get_by_label("Burglary", exact=True))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Send"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page, "check your email")

    message = wait_for(lambda: smtp_server.messages and smtp_server.messages[-1])
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/concerns/confirm/\S+/", body).group(0)
    page.goto(live_server.url + "/concerns/" + link.split("/concerns/", 1)[1])
    assert_accessible(page, "confirm")
    tab_to(page, page.get_by_role("button", name="Confirm my concerns"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your concerns count")
    assert_accessible(page, "confirmed")
    assert ConcernResponse.objects.count() == 1

    page.goto(f"{live_server.url}/concerns/W01/results/")
    expect(page.locator("svg[role=img] title")).to_contain_text("Residents' concerns in Ashbridge")
    assert_accessible(page, "results")
    assert not console_errors
