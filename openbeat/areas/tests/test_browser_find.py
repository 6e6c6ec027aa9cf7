"""A resident finds their neighbourhood by postcode, with the keyboard alone, in Debian's chromium."""

import re

import pytest
from playwright.sync_api import expect

from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory, StationFactory
from openbeat.core.services import site_pages_ensure
from openbeat.core.tests.keyboard import tab_stops

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def place(settings):
    settings.MAP_TILE_URL = ""  # no tiles: the boundary must still be drawn
    site_pages_ensure()
    neighbourhood = NeighbourhoodFactory(code="PR11", name="Ingol & Cottam")
    NeighbourhoodFactory(code="PR12", name="Larches", division=neighbourhood.division)
    PostcodeFactory(postcode="PR1 1AB", neighbourhood=neighbourhood)
    PostcodeFactory(postcode="DM99 1AA", neighbourhood=None, lat=53.0, lon=-3.5)
    StationFactory(neighbourhood=neighbourhood, name="Cottam Police Station")
    return neighbourhood


def test_a_resident_finds_their_neighbourhood_and_sees_it_on_the_map(
    live_server, page, place, assert_accessible, console_errors
):
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile("Demoshire Police"))
    assert_accessible(page, "home page")

    # Keyboard alone: skip link first, then into the postcode box and submit with Enter.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Postcode").focus()
    page.keyboard.type("pr11ab")
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.url + "/neighbourhoods/PR11/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ingol & Cottam")
    expect(page.get_by_role("heading", name="Cottam Police Station")).to_be_visible()
    expect(page.locator("#map[data-loaded='true']")).to_be_attached()
    expect(page.locator("#map .leaflet-overlay-pane path")).to_have_count(1)
    assert_accessible(page, "neighbourhood page")
    assert console_errors == []


def test_a_mistyped_postcode_shows_the_error_summary_and_keeps_the_text(
    live_server, page, place, assert_accessible, console_errors
):
    page.goto(live_server.url + "/neighbourhoods/")
    page.get_by_label("Postcode").fill("DM99 1AA")
    page.get_by_role("button", name="Find").press("Enter")

    summary = page.locator(".ob-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("outside the area Demoshire Police covers")
    expect(page).to_have_title(re.compile("^Error: "))
    summary.get_by_role("link").press("Enter")
    expect(page.get_by_label("Postcode")).to_be_focused()
    expect(page.get_by_label("Postcode")).to_have_value("DM99 1AA")
    assert_accessible(page, "find page with an error")
    assert console_errors == []


def test_the_force_map_draws_every_neighbourhood_and_links_to_each(
    live_server, page, place, assert_accessible, console_errors
):
    page.goto(live_server.url + "/neighbourhoods/map/")
    expect(page.locator("#map[data-loaded='true']")).to_be_attached()
    expect(page.locator("#map .leaflet-overlay-pane path")).to_have_count(2)
    assert_accessible(page, "force map")
    page.locator("#map .leaflet-overlay-pane path").first.click(force=True)
    expect(page).to_have_url(re.compile(r"/neighbourhoods/PR1[12]/$"))
    # The neighbourhood page finished, with its map's requests: none may still be served by the live server
    # while the database is emptied after the test (SQLite: "database table is locked").
    expect(page.locator("#map[data-loaded='true']")).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert console_errors == []


def test_boundaries_are_drawn_when_the_tile_server_cannot_be_reached(live_server, page, place, settings):
    settings.MAP_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # nothing listens on the discard port
    page.goto(live_server.url + "/neighbourhoods/PR11/")
    expect(page.locator("#map[data-loaded='true']")).to_be_attached()
    expect(page.locator("#map .leaflet-overlay-pane path")).to_have_count(1)


def test_the_force_maps_shapes_are_not_tab_stops_its_list_of_neighbourhoods_is(live_server, page, place):
    page.goto(live_server.url + "/neighbourhoods/map/")
    expect(page.locator("#map[data-loaded='true']")).to_be_attached()
    expect(page.locator("#map .leaflet-overlay-pane path")).to_have_count(2)
    stops = tab_stops(page)
    assert not [s for s in stops if s.startswith("path")], stops
    assert page.get_by_role("link", name="Larches").evaluate("e => e.tabIndex") == 0
