"""A resident opens an event's page in chromium, finds "Add to calendar" by keyboard, and the page passes axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from openbeat.core.services import site_pages_ensure
from openbeat.events.tests.conftest import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_reads_an_event_and_adds_it_to_their_calendar(
    live_server, page, world, assert_accessible, console_errors
):
    site_pages_ensure()
    event = make_event(neighbourhood=world.abbey)
    page.goto(live_server.url + "/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Police events near you")
    assert_accessible(page, "event list")

    page.get_by_role("link", name="PACT meeting at the library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PACT meeting at the library")
    expect(page).to_have_title(re.compile("PACT meeting at the library"))
    assert_accessible(page, "event page")

    add = page.get_by_role("link", name=re.compile("^Add to calendar"))
    for _ in range(60):  # keyboard only: Tab until the link has focus
        page.keyboard.press("Tab")
        if add.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Add to calendar cannot be reached with the keyboard")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    body = Path(download.path()).read_text(encoding="utf-8")
    assert "BEGIN:VCALENDAR" in body
    assert f"UID:{event.public_id}@" in body
    assert console_errors == []
