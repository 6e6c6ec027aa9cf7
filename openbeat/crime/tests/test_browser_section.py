"""A resident reads "Crime in your area" on the neighbourhood page in Debian's chromium: axe-clean, chart and table."""

import datetime

import pytest
from playwright.sync_api import expect

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.core.services import site_pages_ensure
from openbeat.crime.tests.factories import CrimeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def place(settings):
    settings.MAP_TILE_URL = ""
    site_pages_ensure()
    here = NeighbourhoodFactory(code="PR11", name="Ingol & Cottam", population=7000)
    for month, count in ((datetime.date(2026, 9, 1), 4), (datetime.date(2026, 7, 1), 2)):
        CrimeFactory.create_batch(count, neighbourhood=here, month=month, category_id="burglary",
                                  outcome_category="Under investigation")  # fmt: skip
    CrimeFactory(neighbourhood=here, month=datetime.date(2026, 9, 1), category_id="anti-social-behaviour")
    return here


def test_the_crime_section_is_accessible_with_its_chart_and_tables(live_server, page, place, assert_accessible,
                                                                   console_errors):  # fmt: skip
    page.goto(live_server.url + "/neighbourhoods/PR11/")

    section = page.get_by_role("region", name="Crime in your area")
    expect(section).to_be_visible()
    expect(
        section.get_by_role("img", name="Crimes and anti-social behaviour recorded each month in Ingol & Cottam")
    ).to_be_visible()
    expect(section.get_by_role("row", name="Burglary 4")).to_be_visible()
    expect(section.get_by_role("row", name="September 2026 5")).to_be_visible()
    expect(section.get_by_role("row", name="August 2026 0")).to_be_visible()
    expect(section.get_by_role("link", name="About the data on data.police.uk")).to_be_visible()
    assert_accessible(page, "neighbourhood page with crime")
    assert console_errors == []
