"""The importers on the real Lancashire data (../shared/data): 253 neighbourhoods and six Code-Point files.

Everything is imported once for the module (about 3 s) inside a transaction rolled back at the end.
"""

import csv
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from openbeat.areas import geo
from openbeat.areas.importers.boundaries import import_geojson_boundaries, import_police_boundary
from openbeat.areas.importers.population import import_population
from openbeat.areas.importers.postcodes import import_postcodes
from openbeat.areas.models import Division, Neighbourhood, Postcode
from openbeat.areas.services import postcodes_assign

pytestmark = [pytest.mark.realdata, pytest.mark.django_db]

MIN_WARD_AGREEMENT = 0.95


@pytest.fixture(scope="module")
def lancashire(shared_data, django_db_setup, django_db_blocker):
    root = shared_data / "lancashire"
    paths = {
        "boundaries": sorted((root / "boundaries").glob("*_wards.geojson")),
        "mapping": root / "neighbourhoods.csv",
        "postcodes": root / "postcodes-codepoint",
        "census": sorted((root / "population" / "ward-census2021").glob("*.json")),
    }
    with django_db_blocker.unblock(), transaction.atomic():
        geo.invalidate()
        reports = {
            "boundaries": import_geojson_boundaries(paths["boundaries"], mapping=paths["mapping"]),
            "postcodes": import_postcodes([paths["postcodes"]]),
        }
        yield paths, reports
        transaction.set_rollback(True)
    geo.invalidate()


def test_all_253_neighbourhoods_import(lancashire):
    paths, reports = lancashire
    with paths["mapping"].open() as handle:
        rows = list(csv.DictReader(handle))

    assert reports["boundaries"].created == len(rows) == 253
    assert reports["boundaries"].errors == []
    assert Neighbourhood.objects.filter(boundary__isnull=False).count() == 253
    assert set(Division.objects.values_list("name", flat=True)) == {"East", "South", "West"}
    with_population = sum(1 for row in rows if row["population_census2021"])
    assert Neighbourhood.objects.exclude(population=None).count() == with_population


def test_postcodes_land_in_the_neighbourhood_of_their_own_ward(lancashire):
    _, reports = lancashire
    assert reports["postcodes"].errors == []
    assert reports["postcodes"].created > 60_000
    ward_to_neighbourhood = dict(Neighbourhood.objects.values_list("boundary_ref", "pk"))

    in_force = [
        (area, pk)
        for area, pk in Postcode.objects.values_list("source_area", "neighbourhood")
        if area in ward_to_neighbourhood
    ]
    agreeing = sum(1 for area, pk in in_force if ward_to_neighbourhood[area] == pk)
    share = agreeing / len(in_force)

    print(
        f"\n{agreeing:,} of {len(in_force):,} Code-Point postcodes in force wards land in their own ward: {share:.1%}"
    )
    assert share >= MIN_WARD_AGREEMENT


def test_reimporting_changes_nothing(lancashire):
    paths, _ = lancashire

    boundaries = import_geojson_boundaries(paths["boundaries"], mapping=paths["mapping"])
    postcodes = import_postcodes([paths["postcodes"]])

    assert (boundaries.created, boundaries.updated, boundaries.unchanged) == (0, 0, 253)
    assert (postcodes.created, postcodes.updated) == (0, 0)
    assert postcodes_assign() == 0


def test_the_locate_command_on_a_real_postcode(lancashire):
    out = StringIO()
    call_command("locate", "pr1 2he", stdout=out)

    assert out.getvalue() == "PR8\tCity Centre - Preston\tSouth\n"


def test_census_populations_match_wards_by_boundary_ref(lancashire):
    paths, _ = lancashire

    report = import_population(paths["census"])

    # Census 2021 ward codes still match 161 of the 253 neighbourhoods' wards (see the data's README).
    assert report.updated + report.unchanged == 161
    assert all(": no neighbourhood with this code or boundary" in error for error in report.errors)


def test_a_data_police_uk_boundary_fixture_imports(lancashire, shared_data):
    path = shared_data / "police-api-fixtures" / "policeuk-net" / "NeighbourhoodBoundary.Multiple.json"

    report = import_police_boundary(path, code="LEICS1", name="Leicester fixture", division="Elsewhere")

    assert report.created == 1
    neighbourhood = Neighbourhood.objects.get(code="LEICS1")
    assert len(neighbourhood.boundary["coordinates"][0]) == 4
    assert geo.locate(neighbourhood.centroid_lat, neighbourhood.centroid_lon) == neighbourhood
