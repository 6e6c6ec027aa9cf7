import json

import pytest
from django.core.management import CommandError, call_command

from openbeat.areas.importers.population import import_population
from openbeat.areas.importers.report import ImportFileError
from openbeat.areas.models import Neighbourhood
from openbeat.areas.tests.factories import NeighbourhoodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbourhoods():
    return (
        NeighbourhoodFactory(code="PR1", boundary_ref="E05000001"),
        NeighbourhoodFactory(code="PR2", boundary_ref="E05000002"),
    )


def populations():
    return dict(Neighbourhood.objects.values_list("code", "population"))


def test_it_sets_populations_by_code_or_boundary_ref(tmp_path, neighbourhoods):
    path = tmp_path / "population.csv"
    path.write_text('area_code,population\nPR1,"8,669"\nE05000002,7000\nE05000099,10\nPR2,many\n,5\nPR2,\n')

    report = import_population([path])

    assert (report.updated, report.unchanged, report.skipped) == (2, 0, 4)
    assert report.errors == [
        "population.csv: line 4: E05000099: no neighbourhood with this code or boundary",
        "population.csv: line 5: PR2: population 'many' is not a whole number",
        "population.csv: line 6: no area code",
    ]
    assert populations() == {"PR1": 8669, "PR2": 7000}

    again = import_population([path])
    assert (again.updated, again.unchanged) == (0, 2)


def test_columns_can_be_named(tmp_path, neighbourhoods):
    path = tmp_path / "population.csv"
    path.write_text("ward,people\nE05000001,10\n")

    import_population([path], code_column="ward", population_column="people")

    assert populations()["PR1"] == 10


def test_it_says_when_it_cannot_tell_which_column_is_the_code(tmp_path, neighbourhoods):
    path = tmp_path / "population.csv"
    path.write_text("ward,people\nE05000001,10\n")

    with pytest.raises(ImportFileError, match="which column is the area code"):
        import_population([path])


def test_it_reads_census_ward_json(tmp_path, neighbourhoods):
    path = tmp_path / "preston.json"
    path.write_text(
        json.dumps(
            {
                "wards": {
                    "E05000001": {"name": "Ashton", "age": {"Total: All usual residents": 8669}},
                    "E05000077": {"name": "Gone", "age": {"Total: All usual residents": 100}},
                }
            }
        )
    )

    report = import_population([path])

    assert report.updated == 1
    assert report.errors == ["preston.json: ward E05000077: E05000077: no neighbourhood with this code or boundary"]
    assert populations()["PR1"] == 8669


def test_the_command_prints_a_summary_and_fails_when_nothing_matched(tmp_path, neighbourhoods, capsys):
    path = tmp_path / "population.csv"
    path.write_text("code,population\nPR1,10\n")
    call_command("import_population", str(path), "--no-progress")
    assert "0 created, 1 updated, 0 unchanged, 0 skipped" in capsys.readouterr().out

    path.write_text("code,population\nXX,10\n")
    with pytest.raises(CommandError, match="Nothing could be imported") as caught:
        call_command("import_population", str(path))
    assert caught.value.returncode == 1
