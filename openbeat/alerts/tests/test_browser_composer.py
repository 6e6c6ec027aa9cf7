"""An officer composes an alert in a real browser: the live count, a polygon drawn with the mouse, the draft."""

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from openbeat.alerts.models import Alert
from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, square
from openbeat.core.services import site_pages_ensure
from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user
from openbeat.subscriptions.models import Subscriber
from openbeat.subscriptions.services import AreaChoice, subscriber_set_areas, subscriber_set_interests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where residents live (longitude, latitude). Abbey is the square -2.00..-1.99 x 54.00..54.01, Brook the one
# east of it; both are in the West division. The polygon drawn below takes in the points marked "inside".
ABBEY_HOMES = [(-1.997, 54.007), (-1.993, 54.005), (-1.997, 54.002)]  # inside, inside, outside
BROOK_HOMES = [(-1.985, 54.005), (-1.983, 54.002)]  # inside, outside
POLYGON = [(-1.999, 54.004), (-1.984, 54.004), (-1.984, 54.009), (-1.999, 54.009)]


@pytest.fixture
def place(settings):
    settings.MAP_TILE_URL = ""  # no tiles: the boundaries are still drawn, and nothing leaves the machine
    site_pages_ensure()
    # Transactional tests start from an empty database: put the seeded interests back.
    importlib.import_module("openbeat.subscriptions.migrations.0002_seed_interests").seed(apps, None)
    west = DivisionFactory(name="West", code="west")
    east = DivisionFactory(name="East", code="east")
    abbey = NeighbourhoodFactory(code="W01", name="Abbey", division=west, boundary=square(-2.00, 54.0))
    brook = NeighbourhoodFactory(code="W02", name="Brook", division=west, boundary=square(-1.99, 54.0))
    NeighbourhoodFactory(code="E01", name="Castle", division=east, boundary=square(-1.98, 54.0))
    for neighbourhood, homes in ((abbey, ABBEY_HOMES), (brook, BROOK_HOMES)):
        for lon, lat in homes:
            subscriber = Subscriber.objects.create(
                status=Subscriber.Status.ACTIVE,
                email=f"resident{Subscriber.objects.count()}@example.com",
                email_confirmed_at="2026-01-01T00:00:00Z",
            )
            home = AreaChoice(neighbourhood_id=neighbourhood.pk, postcode="DM1 1AA", lat=lat, lon=lon)
            subscriber_set_areas(subscriber=subscriber, home=home)
            subscriber_set_interests(subscriber=subscriber, slugs=["crime-alerts"])
    staff_user(roles.NEIGHBOURHOOD_OFFICER, west, username="officer.west")
    return abbey


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url + "/admin/")


def click_on_map(page, lon, lat):
    """Click the map where (lon, lat) is drawn: the point in the map's own pixels, plus the map's place on the page."""
    page.locator("[data-composer-map]").scroll_into_view_if_needed()
    point = page.locator("[data-composer-map]").evaluate(
        "(element, [lat, lon]) => { const p = element.obMap.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lat, lon],
    )
    box = page.locator("[data-composer-map]").bounding_box()
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])


def test_an_officer_targets_a_neighbourhood_then_a_drawn_polygon_and_saves_the_draft(
    live_server, page, place, console_errors, assert_accessible
):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/alerts/new/")
    summary = page.locator("[data-audience-summary]")
    expect(summary).to_have_attribute("aria-live", "polite")
    expect(summary).to_have_text("No area chosen")
    expect(page.get_by_label("Castle")).to_have_count(0)  # the east's neighbourhood is not offered

    page.locator("#id_neighbourhoods").get_by_label("Abbey").check()
    expect(summary).to_have_text(re.compile(r"^3 subscribers: 3 by email"))

    page.locator("#id_neighbourhoods").get_by_label("Abbey").uncheck()
    expect(summary).to_have_text("No area chosen")

    # The map shows the two neighbourhoods in scope; draw a polygon around three homes.
    expect(page.locator("[data-composer-map][data-loaded='true']")).to_be_attached()
    expect(page.locator("[data-composer-map] .leaflet-overlay-pane path")).to_have_count(2)
    assert_accessible(page, "composer")
    page.get_by_role("button", name="Draw polygon").click()
    for lon, lat in POLYGON:
        click_on_map(page, lon, lat)
    expect(page.locator("[data-draw-status]")).to_contain_text("4 corners")
    click_on_map(page, *POLYGON[0])  # back on the first corner closes the polygon
    expect(page.locator("[data-draw-status]")).to_have_text("Polygon added with 4 corners.")
    expect(page.locator("[data-shape-list]")).to_contain_text("Polygon, 4 corners (send to)")
    expect(summary).to_have_text(re.compile(r"^3 subscribers: 3 by email"))

    page.locator("#id_title").fill("Car break-ins near the park")
    page.locator("#id_body").fill("Please **lock your car** and keep valuables out of sight.")
    page.locator("#id_interest").select_option(label="Crime alerts and appeals")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".messages .success")).to_contain_text("Car break-ins near the park")
    alert = Alert.objects.get()
    assert alert.state == Alert.State.DRAFT
    assert alert.targeting["areas"]["neighbourhoods"] == []
    [polygon] = alert.targeting["areas"]["shapes"]
    assert polygon["type"] == "Polygon"
    ring = polygon["coordinates"][0]
    assert len(ring) == 5
    assert ring[0] == ring[-1]
    for (lon, lat), (expected_lon, expected_lat) in zip(ring, POLYGON, strict=False):
        assert lon == pytest.approx(expected_lon, abs=0.0003)
        assert lat == pytest.approx(expected_lat, abs=0.0003)
    expect(page.get_by_text("1 drawn polygon")).to_be_visible()
    expect(page.locator(".messages > ul")).to_have_css("opacity", "1")  # Wagtail fades its messages in
    assert_accessible(page, "the alert's page")
    assert [e for e in console_errors if "Content Security Policy" in e] == []


def test_an_officer_draws_a_circle_with_a_typed_radius_and_previews_the_alert(
    live_server, page, place, console_errors, assert_accessible
):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/alerts/new/")
    expect(page.locator("[data-composer-map][data-loaded='true']")).to_be_attached()

    page.get_by_role("button", name="Draw circle").click()
    click_on_map(page, -1.995, 54.005)
    page.get_by_label("Radius in metres").fill("300")
    page.get_by_label("Radius in metres").press("Enter")  # finishes the circle; does not submit the form

    expect(page.locator("[data-shape-list]")).to_contain_text("Circle, radius 300 m (send to)")
    # Within 300 m of the centre: the two Abbey homes at (-1.997, 54.007) and (-1.993, 54.005).
    expect(page.locator("[data-audience-summary]")).to_have_text(re.compile(r"^2 subscribers: 2 by email"))

    page.locator("#id_title").fill("Road closed")
    page.locator("#id_body").fill("Use the *bypass*.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("[data-previews] em")).to_have_text("bypass")
    expect(page.locator("[data-sms-count]")).to_have_text("27 characters (GSM-7): 1 message part.")
    assert_accessible(page, "composer with a circle and the previews")
    assert not Alert.objects.exists()
    assert console_errors == []


def test_a_demographic_group_in_a_small_area_is_counted_only_as_fewer_than_the_threshold(
    live_server, page, place, console_errors
):
    sign_in(page, live_server, "officer.west")
    page.goto(live_server.url + "/admin/alerts/new/")
    summary = page.locator("[data-audience-summary]")
    page.locator("#id_neighbourhoods").get_by_label("Abbey").check()
    expect(summary).to_have_text(re.compile(r"^3 subscribers: 3 by email"))
    expect(page.locator("[data-audience-table]")).to_be_visible()

    page.locator("select[data-rule-dimension='disability'][data-rule-value='yes']").select_option("exclude")

    expect(summary).to_have_text(re.compile(r"^Fewer than 10 subscribers\. "))
    expect(page.locator("[data-audience-table]")).to_be_hidden()
    expect(page.locator("[data-audience-total]")).to_have_text("fewer than 10 different subscribers in all.")
    assert console_errors == []
