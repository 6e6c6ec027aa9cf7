from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from openbeat.areas.tests.factories import NeighbourhoodFactory, square
from openbeat.crime.models import Crime
from openbeat.crime.tests.factories import crime_csv

pytestmark = pytest.mark.django_db

GOOD_ROW = ",2026-09,Testshire Police,Testshire Police,-1.95,53.05,On or near Mill Lane,,,Burglary,,"
NO_LOCATION = f"{'a' * 64},2026-09,Testshire Police,Testshire Police,,,No Location,,,Drugs,Local resolution,"


@pytest.fixture
def csv_file(tmp_path):
    NeighbourhoodFactory(code="T1", boundary=square(-2.0, 53.0, 0.1))

    def write(*rows):
        path = tmp_path / "2026-09-testshire-street.csv"
        path.write_text(crime_csv(*rows), encoding="utf-8")
        return str(path)

    return write


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_crimes", "--no-progress", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_clean_file_prints_the_summary_and_exits_0(csv_file):
    out, err = run(csv_file(GOOD_ROW, NO_LOCATION))

    assert "2 created, 0 updated, 0 unchanged, 1 without a location, 0 outside the force, 0 rejected" in out
    assert err == ""


def test_rejected_lines_are_listed_the_good_ones_kept_and_the_exit_is_3(csv_file):
    path = csv_file(GOOD_ROW, GOOD_ROW.replace("2026-09", "Sept 2026"), GOOD_ROW.replace("Burglary", "Arson?"))
    err = StringIO()

    with pytest.raises(CommandError) as raised:
        call_command("import_crimes", "--no-progress", path, stdout=StringIO(), stderr=err)

    assert raised.value.returncode == 3
    assert "2 lines were rejected" in str(raised.value)
    assert "line 3: month 'Sept 2026' is not a month written as YYYY-MM" in err.getvalue()
    assert "line 4: unknown crime type 'Arson?'" in err.getvalue()
    assert Crime.objects.count() == 1


def test_allow_errors_accepts_the_file_as_it_is(csv_file):
    out, err = run("--allow-errors", csv_file(GOOD_ROW, GOOD_ROW.replace("Burglary", "Arson?")))

    assert "1 created" in out
    assert "line 3: unknown crime type" in err


def test_a_file_with_nothing_usable_exits_1(csv_file):
    with pytest.raises(CommandError) as raised:
        run("--allow-errors", csv_file(GOOD_ROW.replace("Burglary", "Arson?")))

    assert raised.value.returncode == 1


def test_an_unreadable_file_exits_2(tmp_path):
    with pytest.raises(CommandError) as raised:
        run(str(tmp_path / "missing.csv"))

    assert raised.value.returncode == 2
    assert "no such file" in str(raised.value)


def test_running_it_twice_changes_nothing(csv_file):
    path = csv_file(GOOD_ROW, GOOD_ROW, NO_LOCATION)
    run(path)

    out, _ = run(path)

    assert "0 created, 0 updated, 3 unchanged" in out
    assert Crime.objects.count() == 3
