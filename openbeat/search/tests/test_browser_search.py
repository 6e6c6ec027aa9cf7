"""Site search in Debian's chromium, with the keyboard alone: axe (0 violations) on the empty page, results,
the filtered results, the second page of results, no results and an error."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from openbeat.core.models import ContentPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element `selector` matches has the focus (fails after `limit` presses)."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_resident_searches_with_the_keyboard(live_server, page, pages, world, assert_accessible, console_errors):
    for n in range(12):
        pages.home.add_child(
            instance=ContentPage(title=f"Bicycle notice {n}", slug=f"bicycle-{n}", body="<p>x</p>")
        ).save_revision().publish()

    page.goto(f"{live_server.url}/search/")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    assert_accessible(page, "empty search page")

    tab_to(page, "#id_q")
    page.keyboard.type("bicycle")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="16 results for \u2018bicycle\u2019")).to_be_visible()
    expect(page).to_have_title(re.compile("^Search results for \u2018bicycle\u2019"))
    expect(page.get_by_role("search").get_by_label("Search this website")).to_have_value("bicycle")
    assert_accessible(page, "results")

    tab_to(page, ".ob-pagination a[rel=next]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    assert_accessible(page, "second page of results")

    # The filter: choose "News" in the select by typing, then the Search button.
    tab_to(page, "#id_type")
    page.keyboard.press("n")
    tab_to(page, ".ob-search-form button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="1 result for \u2018bicycle\u2019")).to_be_visible()
    results = page.locator(".ob-search-results")
    expect(results.get_by_role("link", name="Bicycle marking day in Abbey")).to_be_visible()
    expect(results.get_by_text("News", exact=True)).to_be_visible()
    assert_accessible(page, "filtered results")

    tab_to(page, ".ob-search-results a")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{pages.story.url}")

    page.goto(f"{live_server.url}/search/?q=xylophone")
    expect(page.get_by_text("There are no matching results.")).to_be_visible()
    assert_accessible(page, "no results")

    page.goto(f"{live_server.url}/search/?q=abbey&type=everything")
    summary = page.locator(".ob-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select a type of result from the list")
    summary.get_by_role("link").press("Enter")
    expect(page.get_by_label("Type of result")).to_be_focused()
    assert_accessible(page, "search with an error")
    assert [e for e in console_errors if "Content Security Policy" in e] == []
