"""Drawing a scheme's area on the map in Debian's chromium: staff on the edit form, a coordinator on registering and
on the manage page; undo, clear, Escape and Enter; the keyboard route (GeoJSON pasted, neighbourhoods chosen) and
the page without JavaScript; no axe violations on the pages with the map."""

import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, PostcodeFactory, square
from openbeat.core.services import site_pages_ensure
from openbeat.schemes.models import Scheme
from openbeat.schemes.tests.conftest import last_link
from openbeat.schemes.tests.factories import make_coordinator, make_scheme
from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (longitude, latitude), anticlockwise from the south-west: about 1.3 x 2.2 km, 2.9 km², around PR1 1AB.
POLYGON = [(-2.71, 53.79), (-2.69, 53.79), (-2.69, 53.81), (-2.71, 53.81)]
SIZE = re.compile(r"Polygon, 4 corners, about 2\.9 km²")
MAP = "[data-draw-map]"


@pytest.fixture
def place(settings):
    settings.MAP_TILE_URL = ""  # no tiles: the boundaries are still drawn, and nothing leaves the machine
    site_pages_ensure()
    west = DivisionFactory(name="West", code="west")
    home = NeighbourhoodFactory(code="W01", name="Ashbridge", division=west, boundary=square(-2.75, 53.75, 0.1))
    PostcodeFactory(postcode="PR1 1AB", neighbourhood=home, lat=53.80, lon=-2.70)
    staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west")
    scheme = make_scheme(
        division=west, lat=53.80, lon=-2.70, name="Mill Lane Watch", slug="mill-lane", status=Scheme.Status.PENDING
    )
    make_coordinator(scheme, name="Pat Jones", email="pat@example.com")
    return scheme


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/admin/")


def map_ready(page):
    """The boundaries are on the map; then a view that holds the whole polygon (as a user would zoom to)."""
    expect(page.locator(f"{MAP}[data-loaded='true']")).to_be_attached()
    page.locator(MAP).scroll_into_view_if_needed()
    page.locator(MAP).evaluate("element => element.obMap.setView([53.80, -2.70], 13, { animate: false })")


def click_on_map(page, lon, lat):
    """Click the map where (lon, lat) is drawn: the point in the map's own pixels, plus the map's place on the page."""
    point = page.locator(MAP).evaluate(
        "(element, [lat, lon]) => { const p = element.obMap.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lat, lon],
    )
    box = page.locator(MAP).bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def draw(page, corners):
    """Click each (lon, lat) corner on the map in turn."""
    for lon, lat in corners:
        click_on_map(page, lon, lat)


def register(page, *, name, kind, households):
    """The rest of the registration form, as a coordinator fills it in, then sent."""
    page.get_by_label("Scheme name").fill(name)
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Households covered").fill(households)
    page.get_by_label("Postcode at the centre of the scheme").fill("PR1 1AB")
    page.get_by_label("Your full name").fill("Sam Lee")
    page.get_by_label("Your email address").fill("sam@example.com")
    page.get_by_role("button", name="Register the scheme").click()


def assert_polygon(geometry):
    assert geometry["type"] == "Polygon"
    ring = geometry["coordinates"][0]
    assert len(ring) == 5
    assert ring[0] == ring[-1]
    # Within a few pixels of where the test clicked at zoom 13 (a pixel is about 0.00017 degrees there).
    for (lon, lat), (expected_lon, expected_lat) in zip(ring, POLYGON, strict=False):
        assert lon == pytest.approx(expected_lon, abs=0.001)
        assert lat == pytest.approx(expected_lat, abs=0.001)


def test_staff_draw_the_area_with_the_mouse_undo_a_corner_and_save(
    live_server, page, place, assert_accessible, console_errors
):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + reverse("schemes_staff:edit", args=[place.pk]))
    expect(page.get_by_role("region", name="Map for drawing the scheme's area")).to_be_visible()
    map_ready(page)
    # The neighbourhood for context and the area saved now (dashed).
    expect(page.locator(f"{MAP} .leaflet-overlay-pane path")).to_have_count(2)
    assert_accessible(page, "staff edit form with the map")

    status = page.locator("[data-draw-status]")
    expect(status).to_have_attribute("aria-live", "polite")
    draw(page, POLYGON[:3])
    click_on_map(page, -2.70, 53.80)  # a slip
    expect(status).to_have_text(re.compile("^4 corners"))
    page.get_by_role("button", name="Undo last corner").click()
    expect(status).to_have_text(re.compile("^Last corner removed. 3 corners"))
    click_on_map(page, *POLYGON[3])
    click_on_map(page, *POLYGON[0])  # back on the first corner closes the shape
    expect(status).to_have_text(SIZE)
    assert_polygon(json.loads(page.locator("#id_area_geojson").input_value()))

    page.get_by_role("button", name="Save scheme").click()
    expect(page).to_have_url(live_server.url + reverse("schemes_staff:detail", args=[place.pk]))
    scheme = Scheme.objects.get(pk=place.pk)
    assert scheme.area_source == Scheme.AreaSource.DRAWN
    assert_polygon(scheme.area)
    assert scheme.bbox == pytest.approx((-2.71, 53.79, -2.69, 53.81), abs=0.001)
    assert (scheme.centre_lon, scheme.centre_lat) == pytest.approx((-2.70, 53.80), abs=0.001)
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_a_coordinator_draws_the_area_on_registering_then_sees_it_to_redraw(
    live_server, page, place, assert_accessible, console_errors
):
    page.goto(live_server.url + "/watch-schemes/register/")
    map_ready(page)
    assert_accessible(page, "register with the map")
    status = page.locator("[data-draw-status]")

    # Three corners, then Escape: nothing is kept.
    draw(page, POLYGON[:3])
    expect(status).to_have_text(re.compile("^3 corners"))
    page.keyboard.press("Escape")
    expect(status).to_have_text("Drawing stopped.")
    expect(page.locator(f"{MAP} .leaflet-overlay-pane path")).to_have_count(1)  # the neighbourhood alone

    # Too few corners for Finish shape; then four, closed with the Enter key (which does not send the form).
    click_on_map(page, *POLYGON[0])
    page.get_by_role("button", name="Finish shape").click()
    expect(status).to_have_text(re.compile("^A shape needs at least three corners: 1 so far"))
    draw(page, POLYGON[1:])
    page.locator(MAP).focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text(SIZE)
    expect(page).to_have_url(live_server.url + "/watch-schemes/register/")

    # Clear empties the box; drawn again with the Finish shape button.
    page.get_by_role("button", name="Clear", exact=True).click()
    expect(status).to_have_text("Cleared. Click the map to draw the area.")
    expect(page.locator("#id_area_geojson")).to_have_value("")
    draw(page, POLYGON)
    page.get_by_role("button", name="Finish shape").click()
    expect(status).to_have_text(SIZE)

    register(page, name="Ribble Close Watch", kind="Neighbourhood Watch", households="30")
    expect(page).to_have_url(live_server.url + "/watch-schemes/sent/")
    scheme = Scheme.objects.get(name="Ribble Close Watch")
    assert_polygon(scheme.area)
    assert scheme.bbox == pytest.approx((-2.71, 53.79, -2.69, 53.81), abs=0.001)

    # Signed in by the emailed link, the coordinator sees the saved area (dashed) on the manage page.
    page.goto(live_server.url + last_link())
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page).to_have_url(live_server.url + "/watch-schemes/manage/")
    expect(page.locator(f"{MAP}[data-loaded='true']")).to_be_attached()
    expect(page.locator(f"{MAP} .leaflet-overlay-pane path")).to_have_count(2)
    expect(page.get_by_text("The dashed line is the area saved now")).to_be_visible()
    assert_accessible(page, "manage with the map")
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_a_drawing_outside_the_force_is_refused_with_the_summary_and_kept(live_server, page, place, assert_accessible):
    page.goto(live_server.url + "/watch-schemes/register/")
    map_ready(page)
    draw(page, [(-2.66, 53.79), (-2.62, 53.79), (-2.62, 53.81)])  # mostly east of the force's neighbourhood
    page.get_by_role("button", name="Finish shape").click()
    register(page, name="Edge Watch", kind="Shop Watch", households="3")

    summary = page.locator(".ob-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Draw the area inside")
    summary.get_by_role("link", name=re.compile("Draw the area inside")).click()
    expect(page.locator("#id_area_geojson")).to_be_focused()
    # The refused drawing is back on the map and in the box, to be changed rather than drawn again.
    expect(page.locator("[data-draw-status]")).to_have_text(re.compile("^Shape drawn: Polygon, 3 corners"))
    kept = json.loads(page.locator("#id_area_geojson").input_value())
    assert kept["coordinates"][0][0] == pytest.approx([-2.66, 53.79], abs=0.001)
    expect(page.get_by_label("Scheme name")).to_have_value("Edge Watch")
    assert_accessible(page, "register with an error")
    assert not Scheme.objects.filter(name="Edge Watch").exists()


def test_by_keyboard_alone_staff_paste_geojson_or_choose_neighbourhoods(live_server, page, place):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + reverse("schemes_staff:edit", args=[place.pk]))
    expect(page.locator(f"{MAP}[data-loaded='true']")).to_be_attached()
    ring = [[lon, lat] for lon, lat in POLYGON] + [list(POLYGON[0])]

    # Tab from the map reaches its buttons, each showing where the focus is, then the box.
    page.locator(MAP).focus()
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Finish shape":
            break
    finish = page.get_by_role("button", name="Finish shape")
    expect(finish).to_be_focused()
    assert finish.evaluate("e => getComputedStyle(e).outlineStyle + getComputedStyle(e).boxShadow") != "nonenone"
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Undo last corner")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Clear", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_area_geojson")).to_be_focused()
    page.keyboard.insert_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    page.keyboard.press("Tab")  # leaving the box shows the shape and says what it is
    expect(page.locator("[data-draw-status]")).to_have_text(
        re.compile(r"^Shape from the box: Polygon, 4 corners, about 2\.9")
    )
    page.get_by_role("button", name="Save scheme").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("schemes_staff:detail", args=[place.pk]))
    assert_polygon(Scheme.objects.get(pk=place.pk).area)

    # Or the neighbourhood, chosen with the space bar.
    page.goto(live_server.url + reverse("schemes_staff:edit", args=[place.pk]))
    page.get_by_label("Chosen neighbourhoods").focus()
    page.keyboard.press("Space")
    page.get_by_label("Ashbridge (W01)").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save scheme").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url + reverse("schemes_staff:detail", args=[place.pk]))
    scheme = Scheme.objects.get(pk=place.pk)
    assert scheme.area_source == Scheme.AreaSource.NEIGHBOURHOODS
    assert scheme.bbox == pytest.approx((-2.75, 53.75, -2.65, 53.85))


def test_without_javascript_the_box_takes_pasted_geojson_as_before(live_server, browser, place):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/watch-schemes/register/")
        expect(page.locator("[data-draw-panel]")).to_be_hidden()
        box = page.get_by_label("Or draw the scheme's area (optional)")
        box.fill(json.dumps({"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in [*POLYGON, POLYGON[0]]]]}))
        register(page, name="Quiet Lane Watch", kind="Neighbourhood Watch", households="8")
        expect(page).to_have_url(live_server.url + "/watch-schemes/sent/")
        assert_polygon(Scheme.objects.get(name="Quiet Lane Watch").area)
    finally:
        context.close()
