"""The public site's frame in Debian's chromium: the header's menu on a phone, and links styled as buttons."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from playwright.sync_api import expect

from openbeat.core.services import site_pages_ensure
from openbeat.core.tests.test_home_page import alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAV_LINKS = [
    "Find your neighbourhood",
    "Neighbourhood map",
    "Latest alerts",
    "Get alerts: In the Know",
    "Report online",
]


@pytest.fixture
def site():
    site_pages_ensure()


def test_on_a_phone_the_navigation_folds_behind_a_menu_button_that_works_by_keyboard(
    live_server, page, site, assert_accessible, console_errors
):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/")
    header = page.locator("header.ob-header")
    menu = header.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_have_attribute("aria-controls", "ob-navigation")
    expect(header.get_by_role("link", name="Report online")).to_be_hidden()
    # One row for the force's name and the button, not four rows of links.
    assert header.bounding_box()["height"] < 110
    assert_accessible(page, "home page, menu closed")

    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    for name in NAV_LINKS:
        expect(header.get_by_role("link", name=name)).to_be_visible()
    assert_accessible(page, "home page, menu open")
    page.keyboard.press("Tab")
    expect(header.get_by_role("link", name=NAV_LINKS[0])).to_be_focused()

    menu.focus()
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(header.get_by_role("link", name="Report online")).to_be_hidden()
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("aria-expanded", "true")
    header.get_by_role("link", name="Report online").press("Enter")
    expect(page).to_have_url(live_server.url + "/report/")
    assert console_errors == []


def test_on_a_wide_screen_there_is_no_menu_button_and_the_links_are_shown(live_server, page, site):
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(live_server.url + "/")
    header = page.locator("header.ob-header")
    expect(header.get_by_role("button", name="Menu")).to_be_hidden()
    for name in NAV_LINKS:
        expect(header.get_by_role("link", name=name)).to_be_visible()
    # Narrowing the window folds the list; widening it again shows it, whatever the button was left at.
    page.set_viewport_size({"width": 375, "height": 800})
    expect(header.get_by_role("button", name="Menu")).to_be_visible()
    expect(header.get_by_role("link", name="Report online")).to_be_hidden()
    page.set_viewport_size({"width": 1024, "height": 800})
    expect(header.get_by_role("link", name="Report online")).to_be_visible()


def test_without_javascript_the_links_are_shown_and_no_button(live_server, browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        header = page.locator("header.ob-header")
        expect(header.get_by_role("button", name="Menu")).to_be_hidden()
        for name in NAV_LINKS:
            expect(header.get_by_role("link", name=name)).to_be_visible()
    finally:
        context.close()


def test_a_start_now_link_acts_on_space_like_a_button(live_server, page, site, console_errors):
    page.goto(live_server.url + "/in-the-know/")
    start = page.get_by_role("button", name="Start now")
    expect(start).to_have_attribute("href", "/in-the-know/postcode/")
    start.focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page).to_have_url(live_server.url + "/in-the-know/postcode/")
    assert console_errors == []


def test_the_home_page_is_accessible_and_every_start_point_is_reached_by_keyboard(
    live_server, page, site, assert_accessible, console_errors
):
    # Transactional tests start from an empty database: put the seeded interests back for the alerts.
    importlib.import_module("openbeat.subscriptions.migrations.0002_seed_interests").seed(apps, None)
    shed = alert("Shed break-ins", days_ago=1)
    alert("Road closed", days_ago=2)
    page.goto(live_server.url + "/")
    expect(page.locator("main").get_by_text("In an emergency call 999.")).to_be_visible()
    assert_accessible(page, "home page")

    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        # Only what is in the page's main content: the header has links to some of the same places.
        reached.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.closest('main') ? (e.getAttribute('href') || e.id) : null; }"
            )
        )
    main_targets = ["/report/", "/in-the-know/", shed.get_absolute_url(), "/alerts/", "home-postcode"]
    for target in main_targets:
        assert target in reached, target
    page.locator("#home-postcode").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Find")).to_be_focused()
    page.locator("main").get_by_role("link", name="Shed break-ins").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shed break-ins")
    assert console_errors == []
