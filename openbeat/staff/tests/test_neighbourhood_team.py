"""The neighbourhood page's team: staff's section of areas' public page (areas.sections)."""

import pytest

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.staff.tests.factories import OfficerFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return NeighbourhoodFactory(code="PR11", name="Ingol & Cottam")


def test_the_neighbourhood_page_shows_the_public_team_in_order(client, place):
    TeamMembershipFactory(neighbourhood=place, officer=OfficerFactory(name="Sam Lee", rank="PC"), sort_order=2)
    TeamMembershipFactory(neighbourhood=place, officer=OfficerFactory(name="Priya Shah", rank="PCSO"), sort_order=1)
    TeamMembershipFactory(neighbourhood=place, officer=OfficerFactory(name="Hidden Person", public=False))

    html = client.get("/neighbourhoods/PR11/").content.decode()

    assert "Your neighbourhood team" in html
    assert html.index("PCSO Priya Shah") < html.index("PC Sam Lee") < html.index("Police stations")
    assert "Hidden Person" not in html


def test_a_neighbourhood_with_no_published_team_says_so(client, place):
    html = client.get("/neighbourhoods/PR11/").content.decode()
    assert "The team for this neighbourhood has not been published yet." in html
