import pytest
from pyproj import Geod
from shapely.geometry import shape

from openbeat.schemes.geometry import (
    AreaError,
    area_km2,
    check_drawn,
    circle,
    distances_m,
    parse_geojson,
    union_of,
)

_geod = Geod(ellps="WGS84")


def test_a_circle_is_a_closed_anticlockwise_ring_at_the_radius():
    area = circle(lat=53.76, lon=-2.70, radius_m=500)
    ring = area["coordinates"][0]
    assert ring[0] == ring[-1]
    geom = shape(area)
    assert geom.is_valid
    assert geom.exterior.is_ccw
    for lon, lat in ring[:-1]:
        _, _, metres = _geod.inv(-2.70, 53.76, lon, lat)
        assert metres == pytest.approx(500, abs=1)


def test_distances_agree_with_the_ellipsoid_within_half_a_percent():
    lats, lons = [53.76, 54.05, 53.70, 53.76], [-2.70, -2.80, -2.20, -2.70]
    got = distances_m(53.76, -2.70, lats, lons)
    assert got[-1] == 0
    for lat, lon, metres in zip(lats[:-1], lons[:-1], got[:-1], strict=True):
        _, _, expected = _geod.inv(-2.70, 53.76, lon, lat)
        assert metres == pytest.approx(expected, rel=0.005)


def test_the_union_of_two_neighbours_is_one_shape_and_of_nothing_is_none():
    a = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    b = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}
    merged = union_of([a, b, None])
    assert shape(merged).area == pytest.approx(2)
    assert union_of([None]) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid GeoJSON"),
        ('{"type": "Point", "coordinates": [0, 0]}', "Polygon or MultiPolygon"),
        ('{"type": "FeatureCollection", "features": []}', "exactly one feature"),
        ('{"type": "Polygon", "coordinates": [[[500, 0], [501, 0], [501, 1], [500, 0]]]}', "cannot be read"),
        ('{"type": "Polygon", "coordinates": "x"}', "cannot be read"),
    ],
)
def test_pasted_areas_that_cannot_be_used_say_why(text, message):
    with pytest.raises(AreaError, match=message):
        parse_geojson(text)


def test_a_pasted_feature_gives_its_geometry():
    geometry = circle(lat=53.76, lon=-2.70, radius_m=100)
    assert (
        parse_geojson(f'{{"type": "Feature", "properties": {{}}, "geometry": {__import__("json").dumps(geometry)}}}')
        == geometry
    )


# ------------------------------------------------------------------------------------------------ drawn areas


def _box(lon, lat, size):
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


def test_the_area_of_a_shape_is_measured_on_the_ellipsoid():
    assert area_km2(circle(lat=53.8, lon=-2.7, radius_m=1000)) == pytest.approx(3.14, rel=0.01)


@pytest.mark.django_db
def test_a_drawn_area_inside_the_force_near_its_postcode_is_accepted(home):
    check_drawn(_box(-2.71, 53.79, 0.02), near=(53.80, -2.70))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        # Half of it east of the force's one neighbourhood (-2.75..-2.65).
        (_box(-2.67, 53.79, 0.04), "inside"),
        # About 600 km², most of Lancashire.
        (_box(-2.75, 53.75, 0.3), "too large"),
        # Three corners in a line.
        ({"type": "Polygon", "coordinates": [[[-2.7, 53.8], [-2.69, 53.8], [-2.68, 53.8], [-2.7, 53.8]]]}, "no size"),
    ],
)
def test_a_drawn_area_outside_the_force_too_large_or_flat_says_why(home, geometry, message):
    with pytest.raises(AreaError, match=message):
        check_drawn(geometry)


@pytest.mark.django_db
def test_a_drawn_area_far_from_its_postcode_is_refused(home):
    # Inside the force, but about 3 km from the postcode.
    with pytest.raises(AreaError, match="around the scheme's postcode"):
        check_drawn(_box(-2.74, 53.76, 0.01), near=(53.80, -2.70))
    check_drawn(_box(-2.705, 53.792, 0.005), near=(53.80, -2.70))  # 300 m away: near enough


@pytest.mark.django_db
def test_the_force_check_waits_for_boundaries_to_be_loaded():
    check_drawn(_box(10.0, 10.0, 0.01))  # no neighbourhood has a boundary yet: only the size is checked
