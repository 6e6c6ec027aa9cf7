"""The dashboard and the gap map in a real browser: charts and the choropleth draw under the CSP, 0 axe
violations in what the page itself adds (Wagtail's own frame is Wagtail's)."""

import pytest
from playwright.sync_api import expect

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.core.months import last_complete_month
from openbeat.core.services import site_pages_ensure
from openbeat.core.tests.keyboard import tab_stops
from openbeat.demo.insights import step_insights
from openbeat.staff import roles
from openbeat.staff.tests.browser import sign_in
from openbeat.staff.tests.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(live_server, page, west):
    site_pages_ensure()
    NeighbourhoodFactory(code="W1", name="Ashby", division=west, population=5000)
    NeighbourhoodFactory(code="W2", name="Brindle", division=west, population=None)
    step_insights()
    staff_user(roles.BOARD_VIEWER, None, username="board")
    sign_in(page, live_server, "board")
    return page


def test_the_dashboard_draws_its_figures_and_charts(signed_in, live_server, console_errors, assert_accessible):
    page = signed_in
    page.goto(f"{live_server.url}/admin/insights/?to={last_complete_month()}")
    expect(page.get_by_role("heading", name="Growth by channel")).to_be_visible()
    expect(page.locator("svg.insights-chart")).to_have_count(2)
    expect(page.get_by_role("img", name="Followers by channel, last 12 months")).to_be_visible()
    assert [e for e in console_errors if "Content Security Policy" in e] == []
    assert_accessible(page, "insights dashboard")


def test_the_gap_map_draws_the_choropleth(signed_in, live_server, console_errors, assert_accessible):
    page = signed_in
    page.goto(f"{live_server.url}/admin/insights/gap-map/")
    expect(page.locator("[data-ob-gapmap]")).to_have_attribute("data-loaded", "true")
    expect(page.locator(".ob-gapmap path.leaflet-interactive")).to_have_count(2)
    expect(page.get_by_role("row", name="Brindle")).to_contain_text("No population data")
    # The shapes answer the mouse only; the table is the keyboard route (no Tab stop that does nothing).
    assert not [s for s in tab_stops(page) if s.startswith("path")]
    assert [e for e in console_errors if "Content Security Policy" in e] == []
    assert_accessible(page, "gap map")
