"""The neighbourhood page put together (issue 18): every app's part, in the order a resident reads it, and the
two ways to keep in touch with the team."""

from __future__ import annotations

import re

import pytest

from openbeat.areas.tests.factories import NeighbourhoodFactory, square

pytestmark = pytest.mark.django_db

HEADINGS = [
    "Your neighbourhood team",
    "You said, we did",
    "PACT meetings: ask the team",
    "Upcoming events",
    "Voice your concerns",
    "Crime in your area",
    "Keep in touch with your team",
    "Police stations",
]


def test_the_page_shows_every_part_in_the_order_a_resident_reads_it(client):
    neighbourhood = NeighbourhoodFactory(name="Abbey", boundary=square(-2.7, 53.76, 0.01))
    page = client.get(f"/neighbourhoods/{neighbourhood.code}/").content.decode()
    headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.DOTALL)]
    found = [h for h in headings if h in HEADINGS]
    assert found == HEADINGS, headings


def test_the_page_offers_a_message_to_the_team_and_alerts_for_the_area(client):
    neighbourhood = NeighbourhoodFactory(name="Abbey", boundary=square(-2.7, 53.76, 0.01))
    page = client.get(f"/neighbourhoods/{neighbourhood.code}/").content.decode()
    assert '<a href="/report/contact/">Send a message to the Abbey team</a>' in page
    assert '<a href="/in-the-know/">Get In the Know alerts for Abbey by email or text</a>' in page
