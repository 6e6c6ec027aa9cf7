"""manage.py import_observations."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openbeat.insights.models import Account, Observation

FILES = Path(__file__).parent / "files"
pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_observations", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_and_prints_each_bad_row() -> None:
    out, err = run(str(FILES / "canonical.csv"), "--allow-errors")

    assert "5 created, 0 updated, 0 unchanged, 6 skipped (6 with errors)" in out
    assert err.splitlines()[0] == "line 7: no value (a missing figure is left out, not taken as zero)"
    assert len(err.splitlines()) == 6
    assert Observation.objects.count() == 5


def test_command_native_export_with_a_named_account_and_dry_run() -> None:
    out, _ = run(str(FILES / "x_daily.csv"), "--account", "@EastPolice", "--dry-run")

    assert "6 created" in out
    assert "Dry run: nothing was written" in out
    assert not Observation.objects.exists()
    assert not Account.objects.exists()

    out, _ = run(str(FILES / "x_daily.csv"), "--format", "x_daily", "--account", "@EastPolice", "--platform", "x")

    assert "6 created" in out
    assert Account.objects.get().name == "@EastPolice"


def test_command_refuses_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read the file") as caught:
        run(str(tmp_path / "missing.csv"))
    assert caught.value.returncode == 2

    empty = tmp_path / "empty.csv"
    empty.write_text("period,channel,account,group,metric,value\n2025-01,facebook,@A,,followers,-\n")
    with pytest.raises(CommandError, match="Nothing could be imported"):
        run(str(empty))
