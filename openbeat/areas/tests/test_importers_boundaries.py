import json

import pytest
from django.core.management import CommandError, call_command

from openbeat.areas import geo
from openbeat.areas.importers.boundaries import (
    MappingColumns,
    import_geojson_boundaries,
    import_police_boundary,
)
from openbeat.areas.importers.report import ImportFileError
from openbeat.areas.models import Division, Neighbourhood, Postcode
from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, PostcodeFactory, square
from openbeat.audit.models import AuditEntry
from openbeat.core.models import Force

pytestmark = pytest.mark.django_db


def feature(ref, boundary, name="Ward", **properties):
    return {"type": "Feature", "properties": {"ons_code": ref, "name": name, **properties}, "geometry": boundary}


def write_geojson(path, *features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


@pytest.fixture
def wards(tmp_path):
    return write_geojson(
        tmp_path / "wards.geojson",
        feature("E05000001", square(-2.0, 53.0, 0.1), name="Ashton"),
        feature("E05000002", square(-1.9, 53.0, 0.1), name="Brookfield"),
        feature("E05000003", square(-1.8, 53.0, 0.1), name="Cadley"),
        feature("", square(-1.7, 53.0, 0.1)),
        feature("E05000005", {"type": "Point", "coordinates": [-1.6, 53.0]}),
    )


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "neighbourhoods.csv"
    path.write_text(
        "force,neighbourhood_id,name,district,division,ward_code,population_census2021\n"
        "lancashire,PR1,Ashton &amp; Ingol,preston,South,E05000001,8669\n"
        "lancashire,PR2,Brookfield,preston,South,E05000002,\n"
        "lancashire,PR3,Nowhere,preston,South,E05000099,100\n"
        "lancashire,PR4,,preston,South,E05000003,100\n"
        "lancashire,PR1,Again,preston,South,E05000001,100\n"
        "lancashire,BB1,Cadley,blackburn,East,E05000003,lots\n"
    )
    return path


def test_it_imports_features_named_by_the_mapping(wards, mapping):
    report = import_geojson_boundaries([wards], mapping=mapping)

    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.errors == [
        f"{wards}: feature 4: no 'ons_code' property",
        f"{wards}: feature 5: E05000005: the geometry is not a Polygon or MultiPolygon",
        "neighbourhoods.csv: line 4: PR3: no boundary feature with id E05000099",
        "neighbourhoods.csv: line 5: empty name",
        "neighbourhoods.csv: line 6: PR1 appears twice (first on line 2)",
        "neighbourhoods.csv: line 7: BB1: population 'lots' is not a whole number",
    ]
    assert "1 boundary features are not in the mapping and were skipped" in report.notes
    ashton = Neighbourhood.objects.get(code="PR1")
    assert (ashton.name, ashton.division.name, ashton.boundary_ref, ashton.population) == (
        "Ashton & Ingol",
        "South",
        "E05000001",
        8669,
    )
    assert Neighbourhood.objects.get(code="PR2").population is None
    assert geo.locate(53.05, -1.85).code == "PR2"


def test_reimporting_the_same_files_changes_nothing(wards, mapping):
    import_geojson_boundaries([wards], mapping=mapping)
    version = Force.objects.get().boundaries_version
    before = list(Neighbourhood.objects.values_list("code", "updated_at"))

    report = import_geojson_boundaries([wards], mapping=mapping)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(Neighbourhood.objects.values_list("code", "updated_at")) == before
    assert Force.objects.get().boundaries_version == version


def test_a_changed_name_or_shape_updates_the_neighbourhood(tmp_path, wards, mapping):
    import_geojson_boundaries([wards], mapping=mapping)
    moved = write_geojson(
        tmp_path / "moved.geojson",
        feature("E05000001", square(-2.0, 53.0, 0.1)),
        feature("E05000002", square(-2.5, 53.0, 0.1)),
    )

    report = import_geojson_boundaries([moved], mapping=mapping)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert geo.locate(53.05, -2.45).code == "PR2"


def test_it_imports_features_without_a_mapping(tmp_path):
    path = write_geojson(
        tmp_path / "wards.geojson",
        feature("E1", square(0, 50), name="One", bcu="North"),
        feature("E2", square(1, 50), name="Two", bcu="South"),
        feature("E3", square(2, 50), name="", bcu="South"),
    )

    report = import_geojson_boundaries([path], division_property="bcu")

    assert report.created == 2
    assert report.errors == [f"{path} feature 3: E3: no 'name' property"]
    assert dict(Neighbourhood.objects.values_list("code", "division__name")) == {"E1": "North", "E2": "South"}


def test_it_needs_a_division_without_a_mapping(wards):
    with pytest.raises(ImportFileError, match="division"):
        import_geojson_boundaries([wards])


def test_mapping_columns_can_be_renamed(tmp_path, wards):
    path = tmp_path / "map.csv"
    path.write_text("id,label,bcu,ward\nX1,Ashton,West,E05000001\n")

    report = import_geojson_boundaries(
        [wards], mapping=path, columns=MappingColumns(code="id", name="label", division="bcu", feature="ward")
    )

    assert report.created == 1
    assert Neighbourhood.objects.get().division.name == "West"


def test_a_mapping_without_the_columns_is_refused(tmp_path, wards):
    path = tmp_path / "map.csv"
    path.write_text("id,label\nX1,Ashton\n")

    with pytest.raises(ImportFileError, match="no column 'neighbourhood_id'"):
        import_geojson_boundaries([wards], mapping=path)


def test_a_boundary_import_reassigns_postcodes(wards, mapping):
    postcode = PostcodeFactory(postcode="PR1 1AB", neighbourhood=None, lat=53.05, lon=-1.95)

    report = import_geojson_boundaries([wards], mapping=mapping)

    postcode.refresh_from_db()
    assert postcode.neighbourhood.code == "PR1"
    assert "1 postcodes moved to another neighbourhood (or out of every one)" in report.notes


def test_it_writes_the_audit_log(wards, mapping):
    import_geojson_boundaries([wards], mapping=mapping)

    entry = AuditEntry.objects.get(action="areas.boundaries.import")
    assert entry.data["created"] == 2
    assert entry.data["files"] == ["wards.geojson"]


def police_points(*lat_lons):
    return json.dumps([{"latitude": str(lat), "longitude": str(lon)} for lat, lon in lat_lons])


def test_it_imports_a_police_boundary_for_a_new_neighbourhood(tmp_path):
    path = tmp_path / "boundary.json"
    path.write_text(police_points((53.0, -2.0), (53.0, -1.9), (53.1, -1.9), (53.1, -2.0), ("x", -2.0)))

    report = import_police_boundary(path, code="PR11", name="Ingol &amp; Cottam", division="South")

    assert report.created == 1
    assert report.errors == ["boundary.json: point 5: needs a numeric latitude and longitude"]
    neighbourhood = Neighbourhood.objects.get(code="PR11")
    assert (neighbourhood.name, neighbourhood.division.name) == ("Ingol & Cottam", "South")
    assert neighbourhood.boundary["coordinates"][0][0] == neighbourhood.boundary["coordinates"][0][-1]
    assert geo.locate(53.05, -1.95) == neighbourhood

    again = import_police_boundary(path, code="PR11")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_police_boundary_keeps_an_existing_neighbourhoods_name_and_division(tmp_path):
    existing = NeighbourhoodFactory(code="PR11", name="Ingol", division=DivisionFactory(name="South"))
    path = tmp_path / "boundary.json"
    path.write_text(police_points((53.0, -2.0), (53.0, -1.9), (53.1, -1.9)))

    report = import_police_boundary(path, code="PR11")

    assert report.updated == 1
    assert geo.locate(53.01, -1.95) == existing
    assert Neighbourhood.objects.get(pk=existing.pk).name == "Ingol"


def test_a_police_boundary_for_an_unknown_neighbourhood_needs_a_division(tmp_path):
    path = tmp_path / "boundary.json"
    path.write_text(police_points((53.0, -2.0), (53.0, -1.9), (53.1, -1.9)))

    with pytest.raises(ImportFileError, match="give its division"):
        import_police_boundary(path, code="PR11")
    assert not Division.objects.exists()


def test_a_police_boundary_needs_three_points(tmp_path):
    path = tmp_path / "boundary.json"
    path.write_text(police_points((53.0, -2.0), (53.0, -1.9)))

    with pytest.raises(ImportFileError, match="at least three points"):
        import_police_boundary(path, code="PR11", division="South")


def test_the_command_imports_and_prints_a_summary(wards, mapping, capsys):
    call_command("import_boundaries", str(wards), "--mapping", str(mapping), "--no-progress")

    out, err = capsys.readouterr()
    assert "2 created, 0 updated, 0 unchanged, 7 skipped (6 with errors)" in out
    assert "neighbourhoods.csv: line 4: PR3: no boundary feature with id E05000099" in err


def test_the_command_imports_a_police_boundary(tmp_path, capsys):
    path = tmp_path / "boundary.json"
    path.write_text(police_points((53.0, -2.0), (53.0, -1.9), (53.1, -1.9)))

    call_command("import_boundaries", str(path), "--neighbourhood", "PR11", "--division", "South", "--no-progress")

    assert "1 created" in capsys.readouterr().out
    assert Neighbourhood.objects.get().code == "PR11"


def test_the_command_fails_on_an_unreadable_file(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json")

    with pytest.raises(CommandError, match="not valid JSON") as caught:
        call_command("import_boundaries", str(bad), "--division", "South")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError, match="cannot read") as caught:
        call_command("import_boundaries", str(tmp_path / "missing.geojson"), "--division", "South")
    assert caught.value.returncode == 2


def test_the_command_fails_when_nothing_could_be_imported(tmp_path, wards):
    path = tmp_path / "map.csv"
    path.write_text("neighbourhood_id,name,division,ward_code\nPR9,Nowhere,South,E05000099\n")

    with pytest.raises(CommandError, match="Nothing could be imported") as caught:
        call_command("import_boundaries", str(wards), "--mapping", str(path))
    assert caught.value.returncode == 1
    assert not Postcode.objects.exists()
