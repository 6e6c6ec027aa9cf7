import random

import numpy as np
import pytest

from openbeat.areas.postcodes import postcode_locate
from openbeat.schemes import selectors
from openbeat.schemes.geometry import distances_m
from openbeat.schemes.models import Scheme
from openbeat.schemes.tests.factories import make_coordinator, make_scheme

pytestmark = pytest.mark.django_db


def _brute_force(lat, lon, limit=7):
    rows = list(selectors.public_schemes().values_list("pk", "centre_lat", "centre_lon"))
    metres = distances_m(lat, lon, [r[1] for r in rows], [r[2] for r in rows])
    order = sorted(range(len(rows)), key=lambda i: (metres[i], rows[i][0]))[:limit]
    return [rows[i][0] for i in order]


def test_the_seven_nearest_come_nearest_first_with_their_distances(west):
    schemes = [make_scheme(division=west, lat=53.80 + i * 0.01, lon=-2.70) for i in range(10)]
    found = selectors.nearest_ids(lat=53.80, lon=-2.70)
    assert [pk for pk, _ in found] == [s.pk for s in schemes[:7]]
    assert found[0][1] == pytest.approx(0, abs=0.01)
    assert found[1][1] == pytest.approx(1112, rel=0.01)  # 0.01 degree of latitude


def test_only_verified_schemes_are_found(west):
    make_scheme(division=west, lat=53.80, lon=-2.70, status=Scheme.Status.PENDING)
    make_scheme(division=west, lat=53.80, lon=-2.70, status=Scheme.Status.SUSPENDED)
    verified = make_scheme(division=west, lat=53.90, lon=-2.70)
    assert [pk for pk, _ in selectors.nearest_ids(lat=53.80, lon=-2.70)] == [verified.pk]
    assert selectors.containing(lat=53.80, lon=-2.70) == []


def test_far_schemes_are_found_by_widening_the_box(west):
    far = make_scheme(division=west, lat=51.50, lon=-0.12)  # London, some 300 km from Preston
    assert selectors.nearest_ids(lat=53.80, lon=-2.70) == [(far.pk, pytest.approx(300_000, rel=0.1))]


def test_no_schemes_at_all_finds_none():
    assert selectors.nearest_ids(lat=53.80, lon=-2.70) == []


def test_a_scheme_just_outside_the_box_beats_one_in_its_corner(west):
    # 1.9 km due north is inside the first 2 km box; 2.1 km east is outside it but the corner one is at 2.6 km.
    corner = make_scheme(division=west, lat=53.80 + 1.9 / 111.32, lon=-2.70 + 1.9 / (111.32 * np.cos(np.radians(53.8))))
    east = make_scheme(division=west, lat=53.80, lon=-2.70 + 2.1 / (111.32 * np.cos(np.radians(53.8))))
    assert [pk for pk, _ in selectors.nearest_ids(lat=53.80, lon=-2.70, limit=1)] == [east.pk]
    assert [pk for pk, _ in selectors.nearest_ids(lat=53.80, lon=-2.70, limit=2)] == [east.pk, corner.pk]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_matches_a_brute_force_search(west, seed):
    rng = random.Random(seed)
    for _ in range(300):
        make_scheme(division=west, lat=rng.uniform(53.5, 54.2), lon=rng.uniform(-3.1, -2.0))
    for _ in range(20):
        lat, lon = rng.uniform(53.4, 54.3), rng.uniform(-3.2, -1.9)
        assert [pk for pk, _ in selectors.nearest_ids(lat=lat, lon=lon)] == _brute_force(lat, lon)


def test_inside_is_decided_by_the_shape_not_the_box(west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70, radius_m=1000)
    assert selectors.containing(lat=53.80, lon=-2.70) == [scheme]
    # Inside the bbox's corner, outside the circle.
    assert selectors.containing(lat=53.80 + 0.0085, lon=-2.70 + 0.0145) == []


def test_the_finder_marks_the_schemes_the_postcode_is_inside(west, postcode):
    around = make_scheme(division=west, lat=53.80, lon=-2.70, radius_m=500, name="Mill Lane Watch")
    nearby = make_scheme(division=west, lat=53.81, lon=-2.70, radius_m=200)
    finding = selectors.find(postcode_locate("PR1 1AB"))
    assert finding.inside == [around]
    assert [(n.scheme, n.inside) for n in finding.nearest] == [(around, True), (nearby, False)]
    assert finding.nearest[1].miles == pytest.approx(0.69, abs=0.01)


def test_the_public_page_shows_only_coordinators_who_chose_to_be_shown(west):
    scheme = make_scheme(division=west, lat=53.80, lon=-2.70)
    shown = make_coordinator(scheme, show_contact=True)
    make_coordinator(scheme, show_contact=False)
    make_coordinator(scheme, show_contact=True, verified=False)
    assert selectors.public_scheme(scheme.slug).shown_coordinators == [shown]


def test_staff_see_their_divisions_schemes(west, east, officer, hq):
    mine = make_scheme(division=west, lat=53.80, lon=-2.70)
    theirs = make_scheme(division=east, lat=53.80, lon=-2.20, status=Scheme.Status.PENDING)
    assert list(selectors.schemes_for_staff(officer)) == [mine]
    assert set(selectors.schemes_for_staff(hq)) == {mine, theirs}
    assert list(selectors.schemes_for_staff(hq, status="pending")) == [theirs]


@pytest.mark.parametrize("value", [None, "", "not-a-uuid", "12345678-1234-5678-1234-567812345678"])
def test_a_session_without_a_verified_coordinator_is_nobody(value):
    assert selectors.coordinator_for_session(value) is None
