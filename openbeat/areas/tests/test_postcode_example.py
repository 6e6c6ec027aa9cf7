"""Postcode hints give one of the force's own postcodes, not a Lancashire one whatever the force."""

from __future__ import annotations

import pytest

from openbeat.areas.postcodes import GENERIC_POSTCODE_EXAMPLE, postcode_example
from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory
from openbeat.reports.tests.factories import ReportTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demoshire(west):
    """A demo-like force: DM postcodes, the most populous neighbourhood not the first by name."""
    small = NeighbourhoodFactory(code="W01", name="Ashbridge", division=west, population=4000)
    large = NeighbourhoodFactory(code="W02", name="Brookside", division=west, population=9000)
    NeighbourhoodFactory(code="W03", name="Castleford", division=west, population=20000)  # no postcodes yet
    PostcodeFactory(postcode="DM1 1AA", neighbourhood=small)
    PostcodeFactory(postcode="DM2 4BB", neighbourhood=large)
    PostcodeFactory(postcode="DM2 2BB", neighbourhood=large)
    PostcodeFactory(postcode="DM9 9ZZ", neighbourhood=None)  # outside the force's area
    return large


def test_the_example_is_the_first_postcode_of_the_most_populous_neighbourhood_and_is_cached(
    demoshire, django_assert_num_queries
):
    assert postcode_example() == "DM2 2BB"
    with django_assert_num_queries(0):
        assert postcode_example() == "DM2 2BB"


def test_with_no_postcodes_the_example_is_a_made_up_one_in_the_right_format(west):
    NeighbourhoodFactory(code="W01", name="Ashbridge", division=west)
    assert postcode_example() == GENERIC_POSTCODE_EXAMPLE


def test_every_postcode_hint_and_message_uses_the_forces_own_example(client, demoshire):
    ReportTypeFactory(slug="graffiti", name="Report graffiti")
    client.get("/in-the-know/")
    pages = {
        "home": client.get("/"),
        "find": client.get("/neighbourhoods/"),
        "sign-up": client.get("/in-the-know/postcode/"),
        "report": client.get("/report/graffiti/location/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert "For example, DM2 2BB" in html, name
        assert "PR1" not in html, name
    mistyped = client.get("/neighbourhoods/", {"postcode": "DM2"}).content.decode()
    assert "Enter a full UK postcode" in mistyped
    assert "PR1" not in mistyped
