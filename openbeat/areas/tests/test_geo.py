import threading
import time

import numpy as np
import pytest
from django.db.models import F

from openbeat.areas import geo
from openbeat.areas.models import Neighbourhood
from openbeat.areas.services import boundary_fields, division_get_or_create, neighbourhood_upsert
from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.core.models import Force

pytestmark = pytest.mark.django_db

# A square with a square hole, and a two-part MultiPolygon, beside plain squares.
RING = {
    "type": "Polygon",
    "coordinates": [
        [[1.0, 50.0], [1.3, 50.0], [1.3, 50.3], [1.0, 50.3], [1.0, 50.0]],
        [[1.1, 50.1], [1.2, 50.1], [1.2, 50.2], [1.1, 50.2], [1.1, 50.1]],
    ],
}
ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[1.4, 50.0], [1.5, 50.0], [1.5, 50.1], [1.4, 50.1], [1.4, 50.0]]],
        [[[1.4, 50.2], [1.5, 50.2], [1.5, 50.3], [1.4, 50.3], [1.4, 50.2]]],
    ],
}


def test_it_finds_the_neighbourhood_a_point_is_in():
    inside = NeighbourhoodFactory(boundary=square(-2.0, 53.0, 0.1))
    NeighbourhoodFactory(boundary=square(-1.0, 53.0, 0.1))

    assert geo.locate(53.05, -1.95) == inside
    assert geo.locate(53.05, -1.5) is None


def test_it_ignores_neighbourhoods_without_a_boundary():
    NeighbourhoodFactory(boundary=None)

    assert geo.locate(53.05, -1.95) is None
    assert geo.locate_many(np.array([-1.95]), np.array([53.05])).tolist() == [0]


def test_locate_many_returns_pks_and_zero_outside():
    first = NeighbourhoodFactory(boundary=square(-2.0, 53.0, 0.1))
    second = NeighbourhoodFactory(boundary=square(-1.9, 53.0, 0.1))

    found = geo.locate_many(np.array([-1.95, -1.85, 0.0]), np.array([53.05, 53.05, 53.05]))

    assert found.dtype == np.int64
    assert found.tolist() == [first.pk, second.pk, 0]


def test_a_point_on_a_shared_edge_gets_the_lowest_pk_every_way():
    left = NeighbourhoodFactory(boundary=square(-2.0, 53.0, 0.25))
    right = NeighbourhoodFactory(boundary=square(-1.75, 53.0, 0.25))
    assert left.pk < right.pk
    on_edge_lon, on_edge_lat = -1.75, 53.125
    corner_lon, corner_lat = -1.75, 53.0

    assert geo.locate(on_edge_lat, on_edge_lon) == left
    assert geo.locate(corner_lat, corner_lon) == left
    # Enough points to take the sweep path, not the STRtree one.
    many = 5_000
    found = geo.locate_many(np.full(many, on_edge_lon), np.full(many, on_edge_lat))
    assert set(found.tolist()) == {left.pk}
    # The outer edge of one boundary belongs to it.
    assert geo.locate(53.1, -2.0) == left


def test_overlapping_boundaries_give_the_lowest_pk():
    low = NeighbourhoodFactory(boundary=square(-2.0, 53.0, 0.2))
    high = NeighbourhoodFactory(boundary=square(-1.9, 53.0, 0.2))

    assert geo.locate(53.1, -1.85) == low
    assert geo.locate(53.1, -1.75) == high


def test_locate_many_agrees_with_locate_point_by_point():
    for boundary in (RING, ISLANDS, square(1.0, 50.3, 0.2), square(1.2, 50.3, 0.2), square(1.3, 50.0, 0.1)):
        NeighbourhoodFactory(boundary=boundary)
    rng = np.random.default_rng(7)
    lons = np.round(rng.uniform(0.95, 1.55, 4_000), 2)  # rounded so many points sit exactly on edges
    lats = np.round(rng.uniform(49.95, 50.55, 4_000), 2)

    index = geo.boundary_index()
    swept = geo.locate_many(lons, lats)
    by_tree = index._locate_tree(lons, lats)
    one_by_one = [geo.locate_pk(lat, lon) or 0 for lon, lat in zip(lons[:300], lats[:300], strict=True)]

    assert np.array_equal(swept, by_tree)
    assert swept[:300].tolist() == one_by_one
    assert {0, *Neighbourhood.objects.values_list("pk", flat=True)} == set(swept.tolist())


def test_a_point_in_a_hole_is_in_no_neighbourhood():
    ring = NeighbourhoodFactory(boundary=RING)

    assert geo.locate(50.15, 1.15) is None
    assert geo.locate(50.05, 1.05) == ring


def test_the_process_that_changes_a_boundary_sees_it_at_once():
    division = division_get_or_create(name="West")
    neighbourhood, _ = neighbourhood_upsert(code="W1", name="West 1", division=division, boundary=square(-2, 53, 0.1))
    assert geo.locate(53.05, -1.95) == neighbourhood

    neighbourhood_upsert(code="W1", name="West 1", division=division, boundary=square(-1, 53, 0.1))

    assert geo.locate(53.05, -1.95) is None
    assert geo.locate(53.05, -0.95) == neighbourhood


def test_other_processes_follow_the_version_within_a_second(monkeypatch):
    neighbourhood = NeighbourhoodFactory(boundary=square(-2, 53, 0.1))
    force = Force.current()
    force.save()
    assert geo.locate(53.05, -1.95) == neighbourhood
    clock = [1_000.0]
    monkeypatch.setattr(geo, "_now", lambda: clock[0])
    geo.invalidate()
    geo.boundary_index()  # built and checked "now"

    # Another process moves the boundary: the rows and the version change, this process is not told.
    Neighbourhood.objects.filter(pk=neighbourhood.pk).update(**boundary_fields(square(-1, 53, 0.1)))
    Force.objects.filter(pk=force.pk).update(boundaries_version=F("boundaries_version") + 1)

    clock[0] += 0.5
    assert geo.locate(53.05, -1.95) == neighbourhood  # still the cached index: no query yet
    clock[0] += 0.6
    assert geo.locate(53.05, -1.95) is None
    assert geo.locate(53.05, -0.95) == neighbourhood


def test_an_unchanged_version_keeps_the_index(monkeypatch):
    NeighbourhoodFactory(boundary=square(-2, 53, 0.1))
    first = geo.boundary_index()
    clock = [2_000.0]
    monkeypatch.setattr(geo, "_now", lambda: clock[0])
    geo._cache.checked_at = 0.0

    clock[0] += 5
    assert geo.boundary_index() is first


def test_concurrent_callers_build_the_index_once(monkeypatch):
    built = []
    release = threading.Event()

    def slow_build(version=None):
        built.append(version)
        release.wait(2)
        return geo.BoundaryIndex.from_boundaries([(1, square(0, 50))], version=version)

    monkeypatch.setattr(geo, "_boundaries_version", lambda: (1, 1))
    monkeypatch.setattr(geo.BoundaryIndex, "from_database", staticmethod(slow_build))
    geo.invalidate()
    results = []
    threads = [threading.Thread(target=lambda: results.append(geo.boundary_index())) for _ in range(8)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)

    assert len(built) == 1
    assert len({id(index) for index in results}) == 1


def test_a_caller_during_a_rebuild_waits_for_the_new_index_not_the_old(monkeypatch):
    building, release = threading.Event(), threading.Event()

    def build(version=None):
        if building.is_set():
            release.wait(5)
        return geo.BoundaryIndex.from_boundaries([(1, square(0, 50))], version=version)

    monkeypatch.setattr(geo, "_boundaries_version", lambda: (1, 1))
    monkeypatch.setattr(geo.BoundaryIndex, "from_database", staticmethod(build))
    old = geo.boundary_index()
    geo.invalidate()
    building.set()
    results: dict[str, object] = {}
    rebuilder = threading.Thread(target=lambda: results.setdefault("rebuilder", geo.boundary_index()))
    rebuilder.start()
    while not geo._cache.lock.locked():
        time.sleep(0.001)
    caller = threading.Thread(target=lambda: results.setdefault("caller", geo.boundary_index()))
    caller.start()
    caller.join(0.2)
    release.set()
    rebuilder.join(5)
    caller.join(5)

    assert results["rebuilder"] is not old
    assert results["caller"] is results["rebuilder"]


def test_an_empty_index_answers_nothing():
    index = geo.BoundaryIndex.from_boundaries([])

    assert index.locate_many(np.array([0.0, 1.0]), np.array([50.0, 51.0])).tolist() == [0, 0]
    assert index.total_bounds is None


def test_locate_many_refuses_arrays_of_different_lengths():
    index = geo.BoundaryIndex.from_boundaries([(1, square(0, 50))])

    with pytest.raises(ValueError, match="same length"):
        index.locate_many(np.array([0.0, 1.0]), np.array([50.0]))


def test_a_failed_rebuild_is_tried_again(monkeypatch):
    NeighbourhoodFactory(boundary=square(-2, 53, 0.1))
    real_build = geo.BoundaryIndex.from_database
    calls = []

    def failing_once(version=None):
        calls.append(version)
        if len(calls) == 1:
            raise ConnectionError("database went away")
        return real_build(version=version)

    monkeypatch.setattr(geo.BoundaryIndex, "from_database", staticmethod(failing_once))
    with pytest.raises(ConnectionError):
        geo.boundary_index()

    assert geo.locate(53.05, -1.95) is not None
    assert len(calls) == 2
