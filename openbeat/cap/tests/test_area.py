"""The CAP area of an alert: places by name, and polygons valid, closed, lat-first and at most 6 decimals."""

from __future__ import annotations

import re

import pytest
from shapely.geometry import Polygon

from openbeat.cap.area import MAX_PAIRS, area_of, polygons_of
from openbeat.cap.tests.conftest import make_alert

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^-?\d+(\.\d{1,6})?$")


def _shape(polygon: str) -> Polygon:
    pairs = [tuple(float(n) for n in pair.split(",")) for pair in polygon.split()]
    return Polygon([(lon, lat) for lat, lon in pairs])


def _check(polygon: str) -> Polygon:
    pairs = polygon.split()
    assert len(pairs) >= 4
    assert pairs[0] == pairs[-1]
    assert all(NUMBER.match(n) for pair in pairs for n in pair.split(","))
    shape = _shape(polygon)
    assert shape.is_valid
    return shape


def test_neighbouring_targets_make_one_closed_lat_lon_polygon(world):
    area = area_of(world.alert)
    assert area.description == "Abbey; Brook"
    assert len(area.polygons) == 1
    shape = _check(area.polygons[0])
    lat, lon = (float(n) for n in area.polygons[0].split()[0].split(","))
    assert 54.0 <= lat <= 54.01
    assert -2.0 <= lon <= -1.98
    assert shape.area == pytest.approx(0.0002)


def test_separate_targets_are_several_polygons(world):
    alert = make_alert(world, targeting={"areas": {"neighbourhoods": [world.abbey.pk, world.castle.pk]}})
    polygons = area_of(alert).polygons
    assert len(polygons) == 2
    assert all(_check(polygon).area > 0 for polygon in polygons)


def test_a_division_is_its_neighbourhoods(world):
    alert = make_alert(world, targeting={"areas": {"divisions": [world.west.pk]}})
    area = area_of(alert)
    assert area.description == "West division"
    assert len(area.polygons) == 1
    assert _check(area.polygons[0]).area == pytest.approx(0.0002)


def test_the_whole_force_is_the_union_of_every_boundary(world):
    alert = make_alert(world, division=None, force_wide=True, targeting={"areas": {"whole_force": True}})
    area = area_of(alert)
    assert area.description.startswith("Everywhere in the")
    assert sum(_check(polygon).area for polygon in area.polygons) == pytest.approx(0.0003)


def test_a_drawn_circle_is_simplified_and_rounded(world):
    circle = {"type": "Circle", "center": [-1.987654321, 54.0123456789], "radius_m": 400}
    alert = make_alert(world, targeting={"areas": {"shapes": [circle]}})
    (polygon,) = area_of(alert).polygons
    assert len(polygon.split()) <= MAX_PAIRS
    assert _check(polygon).centroid.x == pytest.approx(-1.987654, abs=1e-4)


def test_a_shape_with_too_many_vertices_is_simplified_until_it_fits():
    import shapely

    spiky = shapely.Point(-2, 54).buffer(0.05, quad_segs=400)
    (polygon,) = polygons_of(spiky)
    assert len(polygon.split()) <= MAX_PAIRS
    assert _check(polygon).area == pytest.approx(spiky.area, rel=0.02)


def test_an_excluded_area_is_cut_out(world):
    targeting = {
        "areas": {"divisions": [world.west.pk]},
        "exclude_areas": {"neighbourhoods": [world.brook.pk]},
    }
    (polygon,) = area_of(make_alert(world, targeting=targeting)).polygons
    assert _check(polygon).area == pytest.approx(0.0001)


def test_an_update_alert_has_the_area_of_the_alert_it_updates(world):
    update = make_alert(world, targeting={"update_of": world.alert.pk, "channels": ["email"]})
    assert area_of(update).polygons == area_of(world.alert).polygons


def test_an_area_without_boundaries_has_a_description_and_no_polygon(world):
    world.abbey.boundary = None
    world.abbey.save()
    alert = make_alert(world, targeting={"areas": {"neighbourhoods": [world.abbey.pk]}})
    area = area_of(alert)
    assert area.description == "Abbey"
    assert area.polygons == ()
