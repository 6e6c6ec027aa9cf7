import pytest
from django.core.management import CommandError, call_command
from pyproj import Transformer

from openbeat.areas.importers.postcodes import detect_format, import_postcodes, postcode_files
from openbeat.areas.importers.report import ImportFileError
from openbeat.areas.models import Postcode
from openbeat.areas.tests.factories import NeighbourhoodFactory, square

pytestmark = pytest.mark.django_db

_to_grid = Transformer.from_crs(4326, 27700, always_xy=True)
INSIDE = (-1.95, 53.05)  # lon, lat in the neighbourhood below
NEARBY = (-1.85, 53.05)  # ~3 km east of it: outside every boundary, near the force
FAR = (-1.0, 52.0)  # ~130 km away


@pytest.fixture
def neighbourhood():
    return NeighbourhoodFactory(boundary=square(-2.0, 53.0, 0.1))


def codepoint_row(postcode, lon_lat, quality=10, ward="E05000001"):
    east, north = _to_grid.transform(*lon_lat)
    return f'"{postcode}",{quality},{east:.0f},{north:.0f},"E92000001","E19000001","E18000002","","E07000123","{ward}"'


@pytest.fixture
def codepoint(tmp_path):
    path = tmp_path / "pr.csv"
    lines = [
        codepoint_row("PR1 1AB", INSIDE),
        codepoint_row("PR1 1AD", NEARBY, ward="E05000002"),
        codepoint_row("PR1 1AE", FAR),
        codepoint_row("PR1 1XX", INSIDE).replace("PR1 1XX", "XX"),
        '"PR1 1AF",90,0,0,"E92000001","","","","",""',
        '"PR1 1AG",10,abc,429378,"E92000001","","","","",""',
        codepoint_row("PR1 1AB", NEARBY),
        '"PR1 1AH",10',
        codepoint_row("pr11aj", INSIDE),
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def stored():
    return {p.postcode: p for p in Postcode.objects.all()}


def test_it_imports_code_point_rows_and_reports_bad_ones(neighbourhood, codepoint):
    report = import_postcodes([codepoint])

    assert (report.created, report.updated, report.unchanged, report.skipped) == (3, 0, 0, 6)
    assert report.errors == [
        "pr.csv: line 4: 'XX' is not a postcode",
        "pr.csv: line 5: PR1 1AF: no coordinates (positional quality 90)",
        "pr.csv: line 6: PR1 1AG: eastings/northings 'abc','429378' not numbers",
        "pr.csv: line 7: PR1 1AB appears twice (first on line 1)",
        "pr.csv: line 8: expected 10 columns, found 2",
    ]
    rows = stored()
    assert set(rows) == {"PR1 1AB", "PR1 1AD", "PR1 1AJ"}
    inside, nearby = rows["PR1 1AB"], rows["PR1 1AD"]
    assert inside.neighbourhood == neighbourhood
    assert (inside.lon, inside.lat) == pytest.approx(INSIDE, abs=1e-4)
    assert inside.source_area == "E05000001"
    assert nearby.neighbourhood is None
    assert nearby.source_area == "E05000002"


def test_reimporting_is_idempotent(neighbourhood, codepoint):
    import_postcodes([codepoint])
    before = list(Postcode.objects.order_by("postcode").values_list())

    report = import_postcodes([codepoint])

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(Postcode.objects.order_by("postcode").values_list()) == before


def test_a_moved_postcode_is_updated(neighbourhood, tmp_path):
    path = tmp_path / "pr.csv"
    path.write_text(codepoint_row("PR1 1AB", NEARBY) + "\n")
    import_postcodes([path])
    path.write_text(codepoint_row("PR1 1AB", INSIDE) + "\n")

    report = import_postcodes([path])

    assert (report.created, report.updated) == (0, 1)
    assert Postcode.objects.get().neighbourhood == neighbourhood


def test_outside_skip_keeps_only_postcodes_in_a_neighbourhood(neighbourhood, codepoint):
    report = import_postcodes([codepoint], outside="skip")

    assert set(stored()) == {"PR1 1AB", "PR1 1AJ"}
    assert report.skipped == 7


def test_the_margin_decides_which_outside_postcodes_are_kept(neighbourhood, codepoint):
    import_postcodes([codepoint], margin_km=1)

    assert set(stored()) == {"PR1 1AB", "PR1 1AJ"}


def test_without_boundaries_every_postcode_is_kept_for_later(codepoint):
    report = import_postcodes([codepoint])

    assert set(stored()) == {"PR1 1AB", "PR1 1AD", "PR1 1AE", "PR1 1AJ"}
    assert any("No neighbourhood boundaries yet" in note for note in report.notes)


@pytest.fixture
def onspd(tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(
        "pcd,pcds,lat,long,osward,doterm\n"
        f"PR1  1AB,PR1 1AB,{INSIDE[1]},{INSIDE[0]},E05000001,\n"
        "PR1  1AD,PR1 1AD,99.999999,0.000000,,\n"
        f"PR1  1AE,PR1 1AE,{INSIDE[1]},{INSIDE[0]},E05000001,202001\n"
        f"PR1  1AF,PR1 1AF,{NEARBY[1]},{NEARBY[0]},E05000002,\n"
        "PR1  1AG,PR1 1AG,,,,\n"
    )
    return path


def test_it_imports_onspd_style_files(neighbourhood, onspd):
    report = import_postcodes([onspd])

    assert (report.created, report.skipped) == (2, 3)
    assert report.errors == [
        "onspd.csv: line 3: PR1 1AD: no coordinates",
        "onspd.csv: line 6: PR1 1AG: no coordinates ('','')",
    ]
    rows = stored()
    assert (rows["PR1 1AB"].lat, rows["PR1 1AB"].lon) == (INSIDE[1], INSIDE[0])
    assert rows["PR1 1AB"].neighbourhood == neighbourhood
    assert rows["PR1 1AF"].source_area == "E05000002"


def test_an_onspd_file_needs_postcode_and_coordinate_columns(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("postcode,easting\nPR1 1AB,1\n")

    with pytest.raises(ImportFileError, match="needs postcode"):
        import_postcodes([path])


def test_it_detects_the_format(codepoint, onspd):
    assert detect_format(codepoint) == "codepoint"
    assert detect_format(onspd) == "onspd"


def test_a_folder_means_its_csvs_without_the_column_headers(tmp_path):
    for name in ("pr.csv", "fy.csv", "Code-Point_Open_Column_Headers.csv", "readme.txt"):
        (tmp_path / name).write_text("")

    assert [p.name for p in postcode_files([tmp_path])] == ["fy.csv", "pr.csv"]


def test_the_command_imports_and_prints_a_summary(neighbourhood, codepoint, capsys):
    call_command("import_postcodes", str(codepoint), "--no-progress", "--outside", "skip")

    out, err = capsys.readouterr()
    assert "2 created, 0 updated, 0 unchanged, 7 skipped (5 with errors)" in out
    assert "pr.csv: line 5: PR1 1AF: no coordinates (positional quality 90)" in err


def test_the_command_fails_when_nothing_could_be_imported(tmp_path):
    path = tmp_path / "pr.csv"
    path.write_text('"PR1 1AF",90,0,0,"E92000001","","","","",""\n')

    with pytest.raises(CommandError, match="Nothing could be imported") as caught:
        call_command("import_postcodes", str(path), "--format", "codepoint")
    assert caught.value.returncode == 1


def test_the_command_fails_on_an_unreadable_file(tmp_path):
    path = tmp_path / "pr.csv"
    path.write_bytes(b'"PR1 1AB",10,\xff\xfe\n')

    with pytest.raises(CommandError, match="not a UTF-8 text file") as caught:
        call_command("import_postcodes", str(path))
    assert caught.value.returncode == 2
