"""Scores (survey indices) in insights: never summed, in the board report with small numbers shown as such, on the
gap map against the force's score; and the board report's single Citizens in Policing section, where OpenBeat's
own figure wins over a hand-entered one for the same division and month."""

from __future__ import annotations

import pytest

from openbeat.areas.tests.factories import NeighbourhoodFactory
from openbeat.core import metric_sources
from openbeat.core.metric_sources import Figure
from openbeat.insights import kpis
from openbeat.insights.build import TOO_FEW, report_build
from openbeat.insights.gapmap import gap_map
from openbeat.insights.kpis import Cell, period_value
from openbeat.insights.models import Account, Metric
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, observe
from openbeat.staff import roles
from openbeat.staff.tests.factories import client_for, staff_user

pytestmark = pytest.mark.django_db

METRIC = "index-confidence"


def score(month, value, n, *, division=None, neighbourhood=None):
    return Figure(METRIC, month, value, aggregation="score", division=division, neighbourhood=neighbourhood,
                  label="Confidence in local policing", respondents=n)  # fmt: skip


@pytest.fixture
def places(west, east):
    return {
        "W1": NeighbourhoodFactory(code="W1", name="Ashby", division=west, population=2000),
        "W2": NeighbourhoodFactory(code="W2", name="Brindle", division=west, population=1000),
        "E1": NeighbourhoodFactory(code="E1", name="Dunmore", division=east, population=3000),
    }


@pytest.fixture
def scores(places, monkeypatch):
    """West: 60 (12) + 80 (8) in March, 70 (10) in April, Brindle 20 (4) in April; east: 90 (3) in April."""
    found = [
        score("2026-03", 60, 12, division="west", neighbourhood="W1"),
        score("2026-03", 80, 8, division="west", neighbourhood="W1"),
        score("2026-04", 70, 10, division="west", neighbourhood="W1"),
        score("2026-04", 20, 4, division="west", neighbourhood="W2"),
        score("2026-04", 90, 3, division="east", neighbourhood="E1"),
    ]

    def source(*, first_month, last_month):
        return [f for f in found if first_month <= f.month <= last_month]

    monkeypatch.setitem(metric_sources._SOURCES, "test-scores", source)
    return found


def test_a_score_metric_is_never_summed_over_months_or_accounts():
    assert Metric.Aggregation.SCORE == "score"
    cells = {"2026-03": Cell(60.0, 1), "2026-04": Cell(70.0, 1)}
    assert period_value("score", cells, ["2026-03"]).value == 60.0
    assert period_value("score", cells, ["2026-03", "2026-04"]).value is None
    assert "mean score" in period_value("score", cells, ["2026-03", "2026-04"]).note
    assert period_value("score", {"2026-03": Cell(120.0, 2)}, ["2026-03"]).value is None


def test_the_board_report_shows_each_index_per_division_weighted_by_respondents(scores):
    report = report_build(period_from="2026-03", period_to="2026-04", comparison="none")
    table = report.table("score_index_confidence")
    assert table.title == "Confidence in local policing: score by division"
    rows = {row[0]: row[1:] for row in table.rows}
    # West over both months: (60x12 + 80x8 + 70x10 + 20x4) / 34, not a mean of means.
    assert rows["West"] == [pytest.approx(62.9, abs=0.05)]
    # East: 3 respondents, under the minimum of 10: shown as such, never as a number.
    assert rows["East"] == [TOO_FEW]
    # The force: every respondent, east's included.
    assert table.totals == ["The force", pytest.approx((720 + 640 + 700 + 80 + 270) / 37, abs=0.05)]
    assert any("fewer than 10 respondents" in note for note in table.notes)
    assert table.chart is not None
    assert table.chart.series[0][1] == [
        pytest.approx(68.0),
        pytest.approx(61.8, abs=0.05),
    ]
    assert table in next(s for s in report.sections if s.key == "events_surveys").tables


def test_a_division_report_shows_only_its_respondents(scores, west):
    report = report_build(period_from="2026-04", period_to="2026-04", division=west, comparison="none")
    table = report.table("score_index_confidence")
    assert [row[0] for row in table.rows] == ["West"]
    assert table.totals == ["West", pytest.approx(55.7, abs=0.05)]  # (700 + 80) / 14


def test_the_gap_map_shows_a_score_against_the_forces_not_per_thousand(scores, settings):
    settings.SURVEYS_SMALL_NUMBER_MIN = 5
    result = gap_map(metric=METRIC, first_month="2026-03", last_month="2026-04")
    assert result.is_score
    rows = {row.code: row for row in result.rows}
    assert rows["W1"].value == pytest.approx((720 + 640 + 700) / 30)
    assert rows["W1"].rate is None
    # Fewer respondents than the minimum: "too few responses", never a score, never zero.
    assert rows["W2"].too_few
    assert rows["W2"].value is None
    assert rows["E1"].too_few
    assert rows["E1"].value is None
    assert result.force_rate == pytest.approx((720 + 640 + 700 + 80 + 270) / 37)
    assert rows["W1"].share_of_force == pytest.approx(rows["W1"].value / result.force_rate)
    assert (METRIC, "Confidence in local policing") in result.metrics


def test_the_gap_map_page_and_csv_say_too_few_responses(scores, west, east):
    client = client_for(staff_user(roles.HQ_MEDIA, None, username="hq-gap"))
    page = client.get(f"/admin/insights/gap-map/?metric={METRIC}&from=2026-03&to=2026-04")
    assert page.status_code == 200
    assert "Too few responses" in page.text
    assert '<th scope="col" class="ob-num">Score</th>' in page.text
    assert "Per 1,000</th>" not in page.text
    csv_text = client.get(f"/admin/insights/gap-map.csv?metric={METRIC}&from=2026-03&to=2026-04").text
    assert "too few responses" in csv_text
    geojson = client.get(f"/admin/insights/gap-map.geojson?metric={METRIC}&from=2026-03&to=2026-04").json()
    brindle = next(f["properties"] for f in geojson["features"] if f["properties"]["code"] == "W2")
    assert brindle["too_few_responses"] is True
    assert brindle["value"] is None


@pytest.fixture
def schemes_and_entered(west, east, monkeypatch):
    """Watch schemes counted by OpenBeat for west (March, April); entered by hand for west (April) and east."""

    def source(*, first_month, last_month):
        for month, value in [("2026-03", 20.0), ("2026-04", 22.0)]:
            if first_month <= month <= last_month:
                yield Figure("nhw_schemes", month, value, aggregation="stock", division="west")

    monkeypatch.setitem(metric_sources._SOURCES, "test-schemes", source)
    west_group = GroupFactory(name="West", slug="west", division=west)
    east_group = GroupFactory(name="East", slug="east", division=east)
    west_manual = AccountFactory(platform=Account.Platform.OTHER, name="West", group=west_group)
    east_manual = AccountFactory(platform=Account.Platform.OTHER, name="East", group=east_group)
    observe(west_manual, "nhw_schemes", "2026-04", 25)  # the same division and month as OpenBeat's 22
    observe(east_manual, "nhw_schemes", "2026-04", 7)


def test_the_registers_figure_wins_over_a_hand_entered_one_for_the_same_division_and_month(schemes_and_entered):
    report = report_build(period_from="2026-04", period_to="2026-04", comparison="none")
    table = report.table("citizens_in_policing")
    rows = {row[0]: row[1:] for row in table.rows}
    # West's register (22) + east's hand-entered (7); west's hand-entered 25 is set aside, not added.
    assert rows["Neighbourhood Watch schemes"] == [29]
    assert any("West 2026-04" in note and "set aside" in note for note in table.notes)
    assert any("OpenBeat's own figure is used" in note for note in table.notes)


def test_the_board_report_has_one_citizens_in_policing_section(schemes_and_entered):
    report = report_build(period_from="2026-03", period_to="2026-04")
    assert [s.key for s in report.sections].count("citizens_in_policing") == 1
    assert all("Citizens in Policing" not in s.title for s in report.sections if s.key != "citizens_in_policing")


def test_source_values_of_a_stock_within_the_period_use_the_same_precedence(schemes_and_entered):
    report = report_build(period_from="2026-03", period_to="2026-04")
    table = report.table("citizens_in_policing")
    schemes = next(row for row in table.rows if row[0] == "Neighbourhood Watch schemes")
    assert schemes[1:3] == [20, 29]
    assert kpis.NOT_ADDITIVE == (Metric.Aggregation.UNIQUE, Metric.Aggregation.SCORE)
