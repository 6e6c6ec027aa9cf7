"""The feeds page in Debian's chromium: axe finds nothing (0 violations), the postcode finder works from the
keyboard, with a GOV.UK error summary first, and a neighbourhood's feeds page passes axe too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from openbeat.areas.models import Postcode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_finds_their_neighbourhoods_feeds_by_keyboard(
    live_server, page, site, world, assert_accessible, console_errors
):
    Postcode.objects.create(postcode="DM1 1AA", lat=54.005, lon=-1.995, neighbourhood=world.west_a)
    page.goto(live_server.url + "/feeds/")
    expect(page).to_have_title(re.compile("News, appeals and alerts feeds"))
    expect(page.get_by_role("table", name="West division")).to_be_visible()
    expect(page.get_by_role("link", name="RSS feed of news for West division")).to_have_attribute(
        "href", "/feeds/divisions/west/news.rss"
    )
    assert_accessible(page, "feeds page")

    postcode = page.get_by_label("Postcode")
    postcode.focus()
    page.keyboard.type("ZZ9 9ZZ")
    page.keyboard.press("Enter")
    summary = page.locator(".ob-error-summary")
    expect(summary).to_be_visible()
    assert_accessible(page, "feeds page with an error")
    expect(page.get_by_label("Postcode")).to_have_value("ZZ9 9ZZ")

    page.get_by_label("Postcode").fill("DM1 1AA")
    page.keyboard.press("Tab")  # to the button
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Feeds for Abbey")
    expect(page.get_by_role("link", name="Atom feed of news, appeals and alerts for Abbey")).to_have_attribute(
        "href", f"/feeds/neighbourhoods/{world.west_a.code}/everything.atom"
    )
    assert_accessible(page, "a neighbourhood's feeds")
    assert [e for e in console_errors if "Content Security Policy" in e] == []
