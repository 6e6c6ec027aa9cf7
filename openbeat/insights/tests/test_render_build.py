"""The report built from observations, rendered in every format: the JSON's figures are the HTML's and the XLSX's."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from openbeat.insights.build import report_build
from openbeat.insights.models import Account
from openbeat.insights.render import render_report
from openbeat.insights.render.pdf import pdf_document
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, observe
from openbeat.insights.tests.test_render import assert_json_matches_html, page_texts

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 4, 1, 6, 0, tzinfo=datetime.UTC)


@pytest.fixture
def observed(west, east):
    north = GroupFactory(name="West", slug="west", division=west)
    south = GroupFactory(name="East", slug="east", division=east)
    west_fb = AccountFactory(platform=Account.Platform.FACEBOOK, name="@WestPolice", group=north)
    east_fb = AccountFactory(platform=Account.Platform.FACEBOOK, name="@EastPolice", group=south)
    west_x = AccountFactory(platform=Account.Platform.X, name="@WestPoliceX", group=north)
    website = AccountFactory(platform=Account.Platform.WEBSITE, name="demoshire.police.example", group=None)
    for index, month in enumerate(["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]):
        observe(west_fb, "followers", month, 12000 + 100 * index)
        observe(east_fb, "followers", month, 8000 + 50 * index)
        observe(west_x, "followers", month, 5000 + 10 * index)
        observe(west_fb, "reach", month, 40000 + 1000 * index)
        observe(west_fb, "engagements", month, 1200 + 7 * index)
        observe(website, "sessions", month, 30000 + 333 * index)
        observe(website, "users", month, 20000 + 11 * index)
        observe(website, "pageviews", month, 90000 + 999 * index)
        observe(website, "sessions", month, 18000 + 100 * index, dimension="device:mobile")
        observe(website, "sessions", month, 12000 + 233 * index, dimension="device:desktop")


def test_every_format_shows_the_same_figures(observed):
    report = report_build(period_from="2026-01", period_to="2026-03", now=NOW)
    data = json.loads(render_report(report, "json"))
    html = render_report(report, "html").decode()

    # Every figure of every table, in the same row and column, formatted as the table says.
    assert assert_json_matches_html(data, html) > 50
    tables = {table["key"]: table for section in data["sections"] for table in section["tables"]}
    assert "followers_facebook" in tables
    fb = tables["followers_facebook"]
    assert 12500 in fb["totals"] or 12500 + 8250 in fb["totals"]  # March: West 12,500 + East 8,250

    workbook = load_workbook(io.BytesIO(render_report(report, "xlsx")))
    for key, table in tables.items():
        sheet = workbook["Warnings" if key == "warnings" else key[:31]]
        values = [list(row) for row in sheet.iter_rows(values_only=True)]
        header = values.index(table["columns"])
        expected = [*table["rows"], *([table["totals"]] if table["totals"] is not None else [])]
        # An empty text is an empty cell in a workbook.
        expected = [[None if value == "" else value for value in row] for row in expected]
        assert values[header + 1 :] == expected, key

    pages = page_texts(pdf_document(report))
    assert f"Page 1 of {len(pages)}" in pages[0]
    assert "20,750" in " ".join(pages)  # March's Facebook followers, West and East together
    assert render_report(report, "pdf").startswith(b"%PDF-")


def test_a_division_report_is_named_for_it(observed, west):
    report = report_build(period_from="2026-03", period_to="2026-03", division=west, now=NOW)
    html = render_report(report, "html").decode()
    assert "Strategic Engagement Board report: West, March 2026" in html
    assert assert_json_matches_html(json.loads(render_report(report, "json")), html) > 0
