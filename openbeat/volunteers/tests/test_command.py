"""import_volunteer_counts: good lines saved, bad ones printed by line, exit 1 when any line is bad."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from openbeat.volunteers.models import ImportBatch, VolunteerCount

pytestmark = pytest.mark.django_db

HEADER = "division,month,role,headcount,joiners,leavers\n"


def run(path, capsys):
    try:
        call_command("import_volunteer_counts", str(path), "--no-progress")
        code = 0
    except CommandError as error:
        code = error.returncode
    out = capsys.readouterr()
    return code, out.out, out.err


def test_bad_lines_are_printed_by_number_good_ones_kept_and_the_exit_code_is_1(tmp_path, capsys, west, east):
    path = tmp_path / "counts.csv"
    path.write_text(HEADER + "west,2025-01,cadet,9,1,0\nnowhere,2025-01,cadet,3,0,0\neast,2025-01,cadet,4,x,0\n")
    code, out, err = run(path, capsys)
    assert code == 1
    assert "line 3: no division has the code 'nowhere'" in err
    assert "line 4: joiners 'x' is not a whole number" in err
    assert "1 lines imported, 2 with errors" in out
    assert sorted(VolunteerCount.objects.values_list("division__code", flat=True)) == ["west"]
    assert ImportBatch.objects.get().via == ImportBatch.Via.COMMAND


def test_a_clean_file_exits_0(tmp_path, capsys, west):
    path = tmp_path / "counts.csv"
    path.write_text(HEADER + "west,2025-01,cadet,9,1,0\nwest,2025-01,special_constable,20,0,2\n")
    code, out, err = run(path, capsys)
    assert code == 0
    assert "2 lines imported, 0 with errors" in out
    assert err == ""
    assert VolunteerCount.objects.count() == 2


def test_a_missing_or_unreadable_file_exits_2(tmp_path, capsys, west):
    assert run(tmp_path / "nope.csv", capsys)[0] == 2
    path = tmp_path / "wrong.csv"
    path.write_text("a,b\n1,2\n")
    assert run(path, capsys)[0] == 2
    assert not VolunteerCount.objects.exists()
