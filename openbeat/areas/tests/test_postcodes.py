import pytest

from openbeat.areas.postcodes import (
    MalformedPostcode,
    OutsideForceArea,
    UnknownPostcode,
    normalise_postcode,
    postcode_locate,
)
from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("pr11ab", "PR1 1AB"),
        ("PR1 1AB", "PR1 1AB"),
        ("  pr1   1ab ", "PR1 1AB"),
        ("Pr1-1aB", "PR1 1AB"),
        ("m11ae", "M1 1AE"),
        ("sw1a2aa", "SW1A 2AA"),
        ("ec1a 1bb", "EC1A 1BB"),
        ("w1a0ax", "W1A 0AX"),
        ("pr251ab", "PR25 1AB"),
        ("gir0aa", "GIR 0AA"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_it_normalises_postcodes(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "PR1", "PR1 1A", "1PR 1AB", "PR1 1CB", "PR1 1AI", "PRR1 1AB", "PR1 1AB2", "GIR 0AB", "PR1 AAB", None],
)
def test_it_refuses_what_cannot_be_a_postcode(typed):
    with pytest.raises(MalformedPostcode, match="full UK postcode"):
        normalise_postcode(typed)


@pytest.mark.django_db
def test_postcode_locate_finds_the_neighbourhood():
    neighbourhood = NeighbourhoodFactory()
    PostcodeFactory(postcode="PR1 1AB", neighbourhood=neighbourhood)

    location = postcode_locate("pr1 1ab")

    assert location.postcode == "PR1 1AB"
    assert location.neighbourhood == neighbourhood
    assert (location.lat, location.lon) == (neighbourhood.centroid_lat, neighbourhood.centroid_lon)


@pytest.mark.django_db
def test_postcode_locate_says_malformed_unknown_or_outside():
    PostcodeFactory(postcode="BL1 1AA", neighbourhood=None)

    with pytest.raises(MalformedPostcode):
        postcode_locate("not a postcode")
    with pytest.raises(UnknownPostcode, match="could not find"):
        postcode_locate("PR9 9ZZ")
    with pytest.raises(OutsideForceArea, match="outside the area"):
        postcode_locate("bl11aa")
