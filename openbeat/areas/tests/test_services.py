import pytest

from openbeat.areas.models import Neighbourhood, Postcode
from openbeat.areas.services import (
    boundaries_changed,
    division_get_or_create,
    neighbourhood_population_set,
    neighbourhood_upsert,
    postcodes_assign,
    postcodes_upsert,
)
from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory, square
from openbeat.core.models import Force

pytestmark = pytest.mark.django_db


def version() -> int:
    return Force.objects.get().boundaries_version


def test_boundaries_changed_saves_the_force_and_bumps_its_version():
    boundaries_changed()
    boundaries_changed()

    assert version() == 2


def test_neighbourhood_upsert_bumps_the_version_only_when_the_shape_changes():
    division = division_get_or_create(name="East")
    neighbourhood, changed = neighbourhood_upsert(code="E1", name="One", division=division, boundary=square(0, 50))
    assert changed
    assert version() == 1

    _, changed = neighbourhood_upsert(code="E1", name="One", division=division, boundary=square(0, 50))
    assert not changed
    _, changed = neighbourhood_upsert(code="E1", name="Renamed", division=division, boundary=square(0, 50))
    assert changed
    assert version() == 1

    _, changed = neighbourhood_upsert(code="E1", name="Renamed", division=division, boundary=square(1, 50))
    assert changed
    assert version() == 2
    neighbourhood.refresh_from_db()
    assert (neighbourhood.name, neighbourhood.min_lon) == ("Renamed", 1)


def test_neighbourhood_upsert_without_a_boundary_does_not_touch_the_version():
    neighbourhood_upsert(code="E2", name="Two", division=division_get_or_create(name="East"))

    assert not Force.objects.exists()


def test_neighbourhood_population_set_reports_a_change():
    neighbourhood = NeighbourhoodFactory(population=100)

    assert neighbourhood_population_set(neighbourhood=neighbourhood, population=250)
    assert not neighbourhood_population_set(neighbourhood=neighbourhood, population=250)
    assert Neighbourhood.objects.get(pk=neighbourhood.pk).population == 250


def test_postcodes_upsert_inserts_and_replaces():
    neighbourhood = NeighbourhoodFactory()
    postcodes_upsert(rows=[("PR1 1AB", 53.1, -2.1, None, "E05000001"), ("PR1 1AD", 53.2, -2.2, None, "")])

    postcodes_upsert(rows=[("PR1 1AB", 53.5, -2.5, neighbourhood.pk, "E05000002")], batch_size=1)

    assert list(Postcode.objects.order_by("postcode").values_list()) == [
        ("PR1 1AB", 53.5, -2.5, neighbourhood.pk, "E05000002"),
        ("PR1 1AD", 53.2, -2.2, None, ""),
    ]


def test_postcodes_assign_follows_boundary_changes():
    division = division_get_or_create(name="South")
    south, _ = neighbourhood_upsert(code="S1", name="South 1", division=division, boundary=square(-2, 53, 0.1))
    inside = PostcodeFactory(postcode="PR1 1AB", neighbourhood=None, lat=53.05, lon=-1.95)
    outside = PostcodeFactory(postcode="PR1 1AD", neighbourhood=south, lat=52.0, lon=-1.0)
    correct = PostcodeFactory(postcode="PR1 1AE", neighbourhood=south, lat=53.01, lon=-1.99)

    assert postcodes_assign(chunk_size=2) == 2
    assert postcodes_assign() == 0

    inside.refresh_from_db()
    outside.refresh_from_db()
    correct.refresh_from_db()
    assert (inside.neighbourhood, outside.neighbourhood, correct.neighbourhood) == (south, None, south)


def test_postcodes_assign_can_be_limited_to_some_postcodes():
    neighbourhood = NeighbourhoodFactory(boundary=square(-2, 53, 0.1))
    PostcodeFactory(postcode="PR1 1AB", neighbourhood=None, lat=53.05, lon=-1.95)
    PostcodeFactory(postcode="FY1 1AB", neighbourhood=None, lat=53.05, lon=-1.95)

    assert postcodes_assign(postcodes=Postcode.objects.filter(postcode__startswith="PR")) == 1

    assert dict(Postcode.objects.values_list("postcode", "neighbourhood")) == {
        "PR1 1AB": neighbourhood.pk,
        "FY1 1AB": None,
    }
