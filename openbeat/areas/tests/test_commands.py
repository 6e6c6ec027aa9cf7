"""The locate command (the import commands are tested beside their importers)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, PostcodeFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbourhood():
    return NeighbourhoodFactory(
        code="PR8", name="City Centre", division=DivisionFactory(name="South"), boundary=square(-2.8, 53.7, 0.1)
    )


def locate(*args):
    out = StringIO()
    call_command("locate", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_neighbourhood_of_a_postcode(neighbourhood):
    PostcodeFactory(postcode="PR1 1AB", neighbourhood=neighbourhood)

    assert locate("pr11ab") == "PR8\tCity Centre\tSouth\n"


def test_it_prints_json(neighbourhood):
    PostcodeFactory(postcode="PR1 1AB", neighbourhood=neighbourhood, lat=53.75, lon=-2.75)

    assert json.loads(locate("PR1 1AB", "--json")) == {
        "query": "PR1 1AB",
        "postcode": "PR1 1AB",
        "lat": 53.75,
        "lon": -2.75,
        "neighbourhood": {"code": "PR8", "name": "City Centre", "division": "South"},
    }


def test_it_locates_a_point(neighbourhood):
    assert locate("53.75,-2.75") == "PR8\tCity Centre\tSouth\n"
    assert json.loads(locate("53.75, -2.75", "--json"))["postcode"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("PR1", "Enter a full UK postcode"),
        ("PR9 9ZZ", "could not find that postcode"),
        ("BL1 1AA", "outside the area"),
        ("54.5,-1.0", "outside every neighbourhood boundary"),
        ("95.0,-1.0", "not a latitude,longitude"),
    ],
)
def test_it_explains_what_it_cannot_locate_and_exits_1(neighbourhood, query, message):
    PostcodeFactory(postcode="BL1 1AA", neighbourhood=None)

    with pytest.raises(CommandError, match=message) as caught:
        locate(query)
    assert caught.value.returncode == 1
