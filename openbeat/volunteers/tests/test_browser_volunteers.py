"""A resident finds a volunteering opportunity in chromium, reaches "Register your interest" by keyboard and lands
on Do It Online's Join us journey; both pages pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from openbeat.core.services import site_pages_ensure
from openbeat.reports.seed import report_types_seed
from openbeat.volunteers.tests.conftest import make_opportunity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_finds_an_opportunity_and_registers_interest_by_keyboard(
    live_server, page, west, assert_accessible, console_errors
):
    site_pages_ensure()
    report_types_seed()
    make_opportunity(west)
    make_opportunity(None, title="Mini police helper", slug="mini-police", role="mini_police", summary="Help.")
    page.goto(live_server.url + "/volunteering/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Volunteer with us")
    assert_accessible(page, "opportunity list")

    page.get_by_role("link", name="Become a special constable").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Become a special constable")
    expect(page).to_have_title(re.compile("Become a special constable"))
    assert_accessible(page, "opportunity page")

    register = page.get_by_role("link", name=re.compile("^Register your interest"))
    for _ in range(60):  # keyboard only: Tab until the link has focus
        page.keyboard.press("Tab")
        if register.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Register your interest cannot be reached with the keyboard")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/report/join-us/$"))
    assert console_errors == []
