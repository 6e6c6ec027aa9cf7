"""A resident finds their nearest watch schemes by postcode, with the keyboard alone, in Debian's chromium: no axe
violations on the finder, its results, its error summary and a scheme's page with its map."""

import re

import pytest
from playwright.sync_api import expect

from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory, square
from openbeat.core.services import site_pages_ensure
from openbeat.schemes.tests.factories import make_coordinator, make_scheme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def place(settings):
    settings.MAP_TILE_URL = ""  # no tiles: the area must still be drawn
    site_pages_ensure()
    neighbourhood = NeighbourhoodFactory(code="PR11", name="Ingol & Cottam", boundary=square(-2.75, 53.75, 0.1))
    PostcodeFactory(postcode="PR1 1AB", neighbourhood=neighbourhood, lat=53.80, lon=-2.70)
    scheme = make_scheme(
        division=neighbourhood.division, lat=53.80, lon=-2.70, radius_m=500, name="Mill Lane Watch", slug="mill-lane"
    )
    make_coordinator(scheme, name="Pat Jones", show_contact=True)
    make_scheme(division=neighbourhood.division, lat=53.82, lon=-2.71, name="Cottam Farm Watch", kind="farm")
    return scheme


def test_a_resident_finds_the_nearest_schemes_by_keyboard(live_server, page, place, assert_accessible, console_errors):
    page.goto(live_server.url + "/watch-schemes/")
    expect(page).to_have_title(re.compile("Find your nearest watch schemes"))
    assert_accessible(page, "finder")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    # From the main content, Tab reaches the postcode box before the button.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "postcode":
            break
    expect(page.get_by_label("Postcode")).to_be_focused()
    page.keyboard.type("pr1 1ab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Schemes near PR1 1AB")).to_be_visible()
    expect(page.locator(".ob-inset-text")).to_contain_text("PR1 1AB is inside Mill Lane Watch")
    results = page.get_by_role("list", name="Nearest schemes, nearest first").get_by_role("listitem")
    expect(results).to_have_count(2)
    expect(results.first).to_contain_text("0.0 miles")
    expect(results.nth(1)).to_contain_text("Farm Watch")
    assert_accessible(page, "finder results")

    # Tab on to the scheme the postcode is inside and open it with Enter.
    link = page.get_by_role("link", name="Mill Lane Watch").first  # in "PR1 1AB is inside ..."
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Mill Lane Watch":
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + "/watch-schemes/mill-lane/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mill Lane Watch")
    expect(page.get_by_role("heading", name="Pat Jones")).to_be_visible()
    expect(page.locator("#map[data-loaded='true']")).to_be_attached()
    expect(page.locator("#map .leaflet-overlay-pane path")).to_have_count(1)
    assert_accessible(page, "scheme page")
    assert console_errors == []


def test_a_wrong_postcode_shows_the_error_summary(live_server, page, place, assert_accessible, console_errors):
    page.goto(live_server.url + "/watch-schemes/")
    page.get_by_label("Postcode").fill("nonsense")
    page.get_by_role("button", name="Find schemes").press("Enter")
    summary = page.locator(".ob-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a full UK postcode")
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_label("Postcode")).to_have_value("nonsense")
    assert_accessible(page, "finder error")
    assert console_errors == []
