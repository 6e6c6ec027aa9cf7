"""The board report's Citizens in Policing from the counts: figures through the metric source, and a section
with headcount, joiners, leavers and growth per role (mini police included), per division for the force."""

from __future__ import annotations

import pytest

from openbeat.core.metric_sources import figures, metric_sources
from openbeat.insights.build import report_build
from openbeat.volunteers.metrics import citizens_section
from openbeat.volunteers.models import Role
from openbeat.volunteers.tests.conftest import make_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def counts(west, east):
    make_count(west, "2025-12", Role.SPECIAL_CONSTABLE, headcount=40)
    make_count(west, "2026-06", Role.SPECIAL_CONSTABLE, headcount=50, joiners=6, leavers=1)
    make_count(west, "2026-03", Role.SPECIAL_CONSTABLE, headcount=45, joiners=4, leavers=0)
    make_count(east, "2025-12", Role.MINI_POLICE, headcount=10)
    make_count(east, "2026-06", Role.MINI_POLICE, headcount=15, joiners=5)


def test_the_metric_source_gives_stocks_per_division_and_flows_per_role(counts):
    assert "volunteers" in metric_sources()
    found = list(figures(first_month="2026-06", last_month="2026-06", only=["volunteers"]))
    stocks = {(f.metric, f.division): f.value for f in found if f.aggregation == "stock"}
    assert stocks == {("special_constables", "west"): 50.0, ("mini_police", "east"): 15.0}
    joiners = {(f.dimension, f.division): f.value for f in found if f.metric == "volunteer_joiners"}
    assert joiners == {("role:special_constable", "west"): 6.0, ("role:mini_police", "east"): 5.0}
    assert next(f for f in found if f.metric == "mini_police").label == "Mini police"


def test_the_section_shows_growth_over_the_period_per_role(counts):
    section = citizens_section(first_month="2026-01", last_month="2026-06")
    growth = section["tables"][0]
    assert growth["columns"][1:3] == ["At end of 2025-12", "At end of 2026-06"]
    rows = {row[0]: row[1:] for row in growth["rows"]}
    assert rows["Special constables"] == [40, 50, 10, 1, 10, 25.0]
    assert rows["Mini police"] == [10, 15, 5, 0, 5, 50.0]
    assert rows["Volunteer police cadets"] == [None, None, 0, 0, None, None]
    assert growth["totals"] == ["Total", 50, 65, 15, 1, 15, 30.0]
    assert growth["chart"]["series"][0][0] == "Special constables"
    by_division = {row[0]: row[1:] for row in section["tables"][1]["rows"]}
    assert by_division == {"East": [None, None, None, 15, 15], "West": [50, None, None, None, 50]}


def test_a_division_s_section_shows_only_its_counts_and_no_division_table(counts):
    section = citizens_section(first_month="2026-01", last_month="2026-06", division_code="east")
    rows = {row[0]: row[1:] for row in section["tables"][0]["rows"]}
    assert rows["Special constables"][:2] == [None, None]
    assert rows["Mini police"][:2] == [10, 15]
    assert len(section["tables"]) == 1


def test_no_counts_no_section(west):
    assert citizens_section(first_month="2026-01", last_month="2026-06") is None


def test_the_board_report_carries_the_section(counts):
    report = report_build(period_from="2026-01", period_to="2026-06")
    keys = [s.key for s in report.sections]
    # One Citizens in Policing section: the counts' tables inside the report's own.
    assert "citizens_in_policing_counts" not in keys
    assert keys.count("citizens_in_policing") == 1
    section = next(s for s in report.sections if s.key == "citizens_in_policing")
    assert section.tables[0].totals[2] == 65
    assert report.table("cip_growth") is section.tables[0]
