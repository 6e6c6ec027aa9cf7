"""Any coordinate or polygon a client can send answers 2xx or 4xx, never a 5xx (the 10,000-crime 503 aside,
which these few crimes never reach): through the test client, as a client's request arrives."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbeat.crime.tests.factories import CrimeFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
# What a client might type: numbers in range and out, NaN and infinities, words, empty.
coordinate_texts = st.one_of(
    st.floats().map(repr),
    st.floats(min_value=-200, max_value=200).map(lambda x: f"{x:.6f}"),
    st.text(max_size=12),
)
points = st.tuples(latitudes, longitudes)


def poly_text(ring):
    return ":".join(f"{lat:.6f},{lng:.6f}" for lat, lng in ring)


@pytest.fixture
def crimes(settings):
    settings.OPENDATA_RATE_EXEMPT = ["127.0.0.1/32"]  # hundreds of requests in a second from one address
    month = datetime.date(2026, 2, 1)
    for lat_e6, lon_e6 in [(53_763_000, -2_703_000), (53_770_000, -2_690_000), (-33_868_000, 179_999_000)]:
        CrimeFactory(neighbourhood=None, month=month, lat_e6=lat_e6, lon_e6=lon_e6)


def assert_answers(response):
    assert response.status_code < 500, response.content[:200]


@FUZZ
@given(lat=coordinate_texts, lng=coordinate_texts)
def test_any_point_text(client, crimes, lat, lng):
    assert_answers(client.get("/api/crimes-street/all-crime", {"lat": lat, "lng": lng}))
    assert_answers(client.get("/api/crimes-at-location", {"lat": lat, "lng": lng}))


@FUZZ
@given(point=points)
def test_any_point_in_range_answers_200(client, crimes, point):
    response = client.get("/api/crimes-street/all-crime", {"lat": point[0], "lng": point[1]})

    assert response.status_code == 200


@FUZZ
@given(ring=st.lists(points, min_size=1, max_size=40))
def test_any_polygon(client, crimes, ring):
    """1 point, 2 points, self-intersecting rings (random ones mostly are), repeated points."""
    assert_answers(client.get("/api/crimes-street/all-crime", {"poly": poly_text(ring)}))


@FUZZ
@given(text=st.text(alphabet="0123456789.,:-eE+ naif", max_size=80))
def test_any_poly_text(client, crimes, text):
    assert_answers(client.get("/api/crimes-street/all-crime", {"poly": text}))


@FUZZ
@given(lat=st.floats(min_value=-80, max_value=80), width=st.floats(min_value=0.001, max_value=10))
def test_a_polygon_across_the_antimeridian(client, crimes, lat, width):
    ring = [(lat, 180 - width), (lat + 1, 180 - width), (lat + 1, -180 + width), (lat, -180 + width)]

    assert_answers(client.get("/api/crimes-street/all-crime", {"poly": poly_text(ring)}))


def test_a_polygon_of_ten_thousand_points_posted(client, crimes):
    import math

    ring = [
        (53.76 + 0.02 * math.sin(2 * math.pi * i / 10_000), -2.70 + 0.04 * math.cos(2 * math.pi * i / 10_000))
        for i in range(10_000)
    ]

    response = client.post("/api/crimes-street/all-crime", {"poly": poly_text(ring)})

    assert response.status_code == 200
    assert len(response.json()) == 2


def test_a_polygon_of_ten_thousand_points_by_get_is_too_long(client, crimes):
    ring = [(53.76 + i * 1e-6, -2.70) for i in range(10_000)]

    assert client.get("/api/crimes-street/all-crime", {"poly": poly_text(ring)}).status_code == 400


def test_a_polygon_of_more_than_ten_thousand_points(client, crimes):
    ring = [(53.76 + i * 1e-6, -2.70 + (i % 2) * 1e-3) for i in range(10_001)]

    assert client.post("/api/crimes-street/all-crime", {"poly": poly_text(ring)}).status_code == 400


@FUZZ
@given(location_id=st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), st.text(max_size=20)))
def test_any_location_id(client, crimes, location_id):
    assert_answers(client.get("/api/crimes-at-location", {"location_id": location_id}))
