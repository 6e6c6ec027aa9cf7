import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openbeat.opendata.crime_json import HASHED_IDS_FROM, outcome_json, point_of_street_id, street_id

uk_lat = st.integers(min_value=40_000_000, max_value=70_000_000)
uk_lon = st.integers(min_value=-20_000_000, max_value=10_000_000)


@given(lat=uk_lat, lon=uk_lon)
def test_a_street_id_in_the_box_gives_its_point_back(lat, lon):
    assert point_of_street_id(street_id(lat, lon)) == (lat, lon)


@given(lat=uk_lat, lon=uk_lon)
def test_street_ids_stay_whole_in_javascript(lat, lon):
    assert 0 < street_id(lat, lon) < 2**53


@given(lat=st.integers(min_value=-90_000_000, max_value=39_999_999), lon=st.integers(-180_000_000, 180_000_000))
def test_a_street_id_outside_the_box_is_hashed_and_stable(lat, lon):
    assert HASHED_IDS_FROM <= street_id(lat, lon) < 2**53
    assert street_id(lat, lon) == street_id(lat, lon)
    assert point_of_street_id(street_id(lat, lon)) is None


def test_neighbouring_points_have_different_ids():
    assert street_id(53_763_000, -2_703_000) != street_id(53_763_000, -2_703_001)
    assert street_id(53_763_000, -2_703_000) != street_id(53_763_001, -2_703_000)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Investigation complete; no suspect identified", "no-further-action"),
        ("Offender given penalty notice", "penalty-notice-issued"),
        ("Something new", "something-new"),
    ],
)
def test_outcome_codes_are_data_police_uks(name, code):
    assert outcome_json(name, datetime.date(2026, 2, 1))["category"] == {"code": code, "name": name}
