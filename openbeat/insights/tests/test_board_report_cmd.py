"""`manage.py board_report`: the report for a period, in the format asked for, to a file."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from openbeat.insights.models import Account
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, observe

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(west, east):
    for division, followers in ((west, 1200), (east, 800)):
        group = GroupFactory(name=division.name, slug=division.code, division=division)
        account = AccountFactory(platform=Account.Platform.FACEBOOK, name=f"@{division.name}", group=group)
        observe(account, "followers", "2026-02", followers - 100)
        observe(account, "followers", "2026-03", followers)


def test_json_for_the_force(figures, tmp_path):
    output = tmp_path / "board.json"
    out = io.StringIO()
    call_command(
        "board_report", "--from", "2026-03", "--to", "2026-03", "--format", "json", "--output", output, stdout=out
    )
    data = json.loads(output.read_text())
    assert (data["period_from"], data["period_to"], data["compare_from"], data["division"]) == (
        "2026-03",
        "2026-03",
        "2026-02",
        "",
    )
    tables = {table["key"]: table for section in data["sections"] for table in section["tables"]}
    assert 2000 in tables["followers_facebook"]["totals"]
    assert "Wrote the JSON board report for 2026-03 to 2026-03" in out.getvalue()


def test_a_divisions_xlsx_with_the_format_from_the_extension(figures, tmp_path):
    output = tmp_path / "west.xlsx"
    call_command("board_report", "--from", "2026-03", "--to", "2026-03", "--division", "west", "--output", output)
    workbook = load_workbook(output)
    assert workbook.sheetnames[0] == "About"
    about = dict(row[:2] for row in workbook["About"].iter_rows(min_row=2, values_only=True))
    assert about["Area"] == "West"
    values = [cell for row in workbook["followers_facebook"].iter_rows(values_only=True) for cell in row]
    assert 1200 in values
    assert 800 not in values


def test_html_and_pdf(figures, tmp_path):
    call_command(
        "board_report", "--from", "2026-02", "--to", "2026-03", "--format", "html", "--output", tmp_path / "r.html"
    )
    assert "February 2026 to March 2026" in (tmp_path / "r.html").read_text()
    call_command(
        "board_report", "--from", "2026-02", "--to", "2026-03", "--format", "pdf", "--output", tmp_path / "r.pdf"
    )
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")


def test_every_back_office_choice_is_an_option(figures, tmp_path):
    output = tmp_path / "board.json"
    call_command(
        "board_report", "--from", "2026-03", "--to", "2026-03", "--output", output, "--compare", "year",
        "--group-by", "account", "--threshold", "2.5", "--division", "west",
    )  # fmt: skip
    data = json.loads(output.read_text())
    assert (data["comparison"], data["compare_from"], data["compare_to"]) == ("year", "2025-03", "2025-03")
    assert (data["grouping"], data["threshold_pct"], data["division"]) == ("account", 2.5, "West")
    tables = {table["key"]: table for section in data["sections"] for table in section["tables"]}
    # Rows by account; nothing counted a year before: a dash (null), not 0.
    assert tables["followers_facebook"]["rows"] == [["Facebook: @West", 1200, None, None, None]]
    call_command("board_report", "--from", "2026-02", "--to", "2026-03", "--output", output, "--compare", "none")
    data = json.loads(output.read_text())
    assert (data["comparison"], data["compare_from"]) == ("none", "")
    tables = {table["key"]: table for section in data["sections"] for table in section["tables"]}
    assert tables["followers_facebook"]["columns"] == ["Group", "2026-02", "2026-03"]


def test_by_default_stocks_grow_within_the_period(figures, tmp_path):
    output = tmp_path / "board.json"
    call_command("board_report", "--from", "2026-02", "--to", "2026-03", "--output", output)
    data = json.loads(output.read_text())
    assert data["comparison"] == "within"
    tables = {table["key"]: table for section in data["sections"] for table in section["tables"]}
    # West 1,100 to 1,200 (+9.1%), East 700 to 800 (+14.3%); 1,800 to 2,000 (+11.1%).
    assert tables["followers_facebook"]["totals"] == ["Total", 1800, 2000, 200, 11.1]


def test_pdf_output_leaves_stderr_empty(figures, tmp_path, capfd):
    # As settings.LOGGING's console handler does, but on the stderr pytest captures.
    console, root = logging.StreamHandler(sys.stderr), logging.getLogger()
    root.addHandler(console)
    try:
        call_command(
            "board_report", "--from", "2026-02", "--to", "2026-03", "--output", tmp_path / "r.pdf", stdout=io.StringIO()
        )
    finally:
        root.removeHandler(console)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    assert capfd.readouterr().err == ""
    for name in ("weasyprint", "fontTools"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.ERROR
        assert logging.getLogger(name).propagate is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-3", "--to", "2026-03", "--output", "x.json"], "'2026-3' is not a month"),
        (["--from", "2026-04", "--to", "2026-03", "--output", "x.json"], "--from 2026-04 is after --to 2026-03"),
        (["--from", "2026-03", "--to", "2026-03", "--output", "x.txt"], "Choose --format"),
        (["--from", "2026-03", "--to", "2026-03", "--output", "x.json", "--division", "nowhere"], "No division"),
        (["--from", "2026-03", "--to", "2026-03", "--output", "x.json", "--compare-from", "2025-03"], "Give both"),
        (
            [
                "--from",
                "2026-03",
                "--to",
                "2026-03",
                "--output",
                "x.json",
                "--compare",
                "none",
                "--compare-from",
                "2025-03",
                "--compare-to",
                "2025-03",
            ],
            "sets its own months",
        ),
        (["--from", "2026-03", "--to", "2026-03", "--output", "x.json", "--threshold", "-1"], "a percentage"),
    ],
)
def test_mistakes_are_explained(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("board_report", *args)
    assert list(tmp_path.iterdir()) == []
