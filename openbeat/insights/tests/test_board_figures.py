"""Issue 16: a force's own quarterly tables from its raw figures, and where they disagree.

One made-up force (figures chosen by hand, not a real force's), reported for 2015-02 to 2015-09:

- Facebook followers counted at three dates (Feb, Jun, Sep) per group, plus the channel's reported total for
  2014-09 (no accounts then: the 12 months' base) and for 2015-09 (2 more than the accounts' sum);
- X followers monthly, with April and May missing, and only a reported total in 2014-09;
- one "In the Know" account counting registered users per division (Jun, Sep), its reported total in 2014-09;
- reach and engagements for July to September, one group's on two channels.

The groups are made in an order that is neither alphabetical nor the force's (sort_order).
"""

from __future__ import annotations

import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from openbeat.areas.tests.factories import DivisionFactory
from openbeat.insights.build import report_build
from openbeat.insights.models import Account
from openbeat.insights.render.formatting import MISSING as DASH
from openbeat.insights.render.html import render_html
from openbeat.insights.render.json import render_json
from openbeat.insights.render.xlsx import render_xlsx
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, observe, observe_series
from openbeat.insights.tests.test_render import assert_json_matches_html, html_tables

pytestmark = pytest.mark.django_db

FB, X, ITK, WEB = Account.Platform.FACEBOOK, Account.Platform.X, Account.Platform.ITK, Account.Platform.WEBSITE
NOW = datetime.datetime(2015, 10, 5, tzinfo=datetime.UTC)


@pytest.fixture
def force() -> dict:
    corporate = GroupFactory(name="Corporate", slug="corporate", sort_order=4)
    east = GroupFactory(name="East", slug="east", sort_order=3, division=DivisionFactory(code="east", name="East"))
    west = GroupFactory(name="West", slug="west", sort_order=1, division=DivisionFactory(code="west", name="West"))
    south = GroupFactory(name="South", slug="south", sort_order=2, division=DivisionFactory(code="south", name="South"))
    fb_west = AccountFactory(platform=FB, name="West FB", group=west)
    fb_east = AccountFactory(platform=FB, name="East FB", group=east)
    fb_force = AccountFactory(platform=FB, name="Force FB", group=corporate)
    for account, (feb, jun, sep) in [(fb_west, (1000, 1100, 1250)), (fb_east, (500, 540, 600)),
                                     (fb_force, (2000, 2100, 2300))]:  # fmt: skip
        observe(account, "followers", "2015-02", feb)
        observe(account, "followers", "2015-06", jun)
        observe(account, "followers", "2015-09", sep)
    fb_total = AccountFactory(platform=FB, name="TOTAL", group=None, is_channel_total=True)
    observe(fb_total, "followers", "2014-09", 3000)
    observe(fb_total, "followers", "2015-09", 4152)  # the accounts add up to 4,150
    x_force = AccountFactory(platform=X, name="@Force", group=corporate)
    observe_series(x_force, "followers", "2015-01", [900, 910, 920])
    observe_series(x_force, "followers", "2015-06", [950, 960, 970, 1000])  # no April, no May
    observe(AccountFactory(platform=X, name="TOTAL", group=None, is_channel_total=True), "followers", "2014-09", 800)
    itk = AccountFactory(platform=ITK, name="In the Know", group=None)
    for group, (jun, sep) in [(west, (300, 320)), (south, (250, 260)), (east, (200, 210))]:
        observe(itk, "registered_users", "2015-06", jun, group=group)
        observe(itk, "registered_users", "2015-09", sep, group=group)
    observe(AccountFactory(platform=ITK, name="TOTAL", group=None, is_channel_total=True), "registered_users",
            "2014-09", 700)  # fmt: skip
    observe_series(fb_west, "reach", "2015-07", [1000, 1200, 1500])
    observe_series(fb_west, "engagements", "2015-07", [50, 60, 90])
    observe_series(fb_east, "reach", "2015-08", [800, 1000])
    observe_series(fb_east, "engagements", "2015-08", [40, 30])
    x_east = AccountFactory(platform=X, name="@EastCops", group=east)
    observe(x_east, "reach", "2015-09", 500)
    observe(x_east, "engagements", "2015-09", 20)
    return {"west": west, "east": east}


def build(**kwargs: object):  # type: ignore[no-untyped-def]
    options: dict = {"period_from": "2015-02", "period_to": "2015-09", "now": NOW, **kwargs}
    return report_build(**options)


def test_snapshots_get_a_column_per_month_and_growth_from_the_first_to_the_last(force: dict) -> None:
    table = build().table("followers_facebook")
    assert table.columns == ["Group", "2015-02", "2015-06", "2015-09", "Change", "Growth %"]
    # In the force's order (West, East, Corporate), not alphabetical nor as created.
    assert table.rows == [
        ["West", 1000, 1100, 1250, 250, 25.0],
        ["East", 500, 540, 600, 100, 20.0],
        ["Corporate", 2000, 2100, 2300, 300, 15.0],
    ]
    # 3,500 to 4,150: +650, 18.6%.
    assert table.totals == ["Total", 3500, 3740, 4150, 650, 18.6]


def test_sparse_series_warn_once_per_broken_cadence(force: dict) -> None:
    missing = [w for w in build().warnings if w.kind == "missing_month"]
    # The snapshots (every 3-4 months), the totals (yearly) and the per-division counts raise nothing; the monthly
    # X series missing April and May raises one warning.
    assert [(w.account, w.metric, w.month) for w in missing] == [("X (Twitter): @Force", "followers", "2015-04")]
    assert "2015-04 to 2015-05" in missing[0].message
    assert "every month" in missing[0].message


def test_a_reported_total_2_above_the_accounts_is_shown_and_warned_about(force: dict) -> None:
    report = build()
    table = report.table("followers_facebook")
    assert table.totals is not None
    assert table.totals[3] == 4150  # the accounts' sum stays the total
    assert table.reported == ["Reported total", None, None, 4152, None, None]
    mismatches = [w for w in report.warnings if w.kind == "total_mismatch"]
    assert [(w.metric, w.month, w.severity) for w in mismatches] == [("followers", "2015-09", "minor")]
    assert "4,152" in mismatches[0].message
    assert "4,150" in mismatches[0].message
    assert "2 fewer" in mismatches[0].message
    # Beside the total in every format.
    assert html_tables(render_html(report))["followers_facebook"][-1] == [
        "Reported total",
        DASH,
        DASH,
        "4,152",
        DASH,
        DASH,
    ]
    data = json.loads(render_json(report))
    facebook = next(t for s in data["sections"] for t in s["tables"] if t["key"] == "followers_facebook")
    assert facebook["reported"] == ["Reported total", None, None, 4152, None, None]
    assert assert_json_matches_html(data, render_html(report)) > 0  # every figure, the reported row too
    assert data["warnings"][0]["severity"] in ("minor", "major")


def test_a_group_that_is_the_sum_of_the_others_is_a_warning(force: dict) -> None:
    looks_like_total = GroupFactory(name="All divisions", slug="all", sort_order=9)
    observe(AccountFactory(platform=FB, name="All pages", group=looks_like_total), "followers", "2015-09", 4150)
    warnings = [w for w in build().warnings if w.kind == "group_looks_like_total"]
    assert [(w.account, w.metric, w.month) for w in warnings] == [("All divisions", "followers", "2015-09")]
    assert "4,150" in warnings[0].message


def test_twelve_months_include_the_base_month_and_give_growth_per_channel(force: dict) -> None:
    report = build()
    twelve = report.table("twelve_months")
    # The base month: only reported totals (Facebook 3,000 + X 800; In the Know 700).
    assert twelve.rows[0] == ["2014-09", 3800, 700, None, None]
    # September: Facebook 4,150 + X 1,000; registered users 320 + 260 + 210; engagements 90 + 30 + 20.
    assert twelve.rows[-1] == ["2015-09", 5150, 790, 140, None]
    assert len(twelve.rows) == 13
    growth = report.table("twelve_month_growth")
    assert growth.columns == ["Channel", "At end of 2015-09", "At end of 2014-09", "Change", "Growth %"]
    assert growth.rows == [
        ["Facebook followers", 4150, 3000, 1150, 38.3],
        ["X (Twitter) followers", 1000, 800, 200, 25.0],
        ["In the Know subscribers", 790, 700, 90, 12.9],
    ]
    assert growth.totals == ["Total digital community", 5940, 4500, 1440, 32.0]


def test_one_account_counts_registered_users_per_division(force: dict) -> None:
    table = build().table("itk_divisions")
    assert table.columns == ["Division", "2015-06", "2015-09", "Change", "Growth %", "New", "Lost"]
    assert table.rows == [
        ["West", 300, 320, 20, 6.7, None, None],
        ["South", 250, 260, 10, 4.0, None, None],
        ["East", 200, 210, 10, 5.0, None, None],
    ]
    assert table.totals == ["Total", 750, 790, 40, 5.3, None, None]
    # A division's report has its own division's figures from the shared account.
    south = report_build(period_from="2015-02", period_to="2015-09", division="south", now=NOW)
    assert south.table("itk_divisions").rows == [["South", 250, 260, 10, 4.0, None, None]]


def test_reach_engagements_and_rates_for_each_month_and_a_summed_total(force: dict) -> None:
    report = build()
    headline = report.table("engagement")
    assert headline.title.endswith("2015-09")
    # East in September: Facebook 1,000 + X 500 reached, 30 + 20 engagements.
    assert headline.rows == [["West", 1500, 90, 6.0], ["East", 1500, 50, 3.3]]
    assert headline.totals == ["Total (sum across accounts)", 3000, 140, 4.7]
    assert any("a person reached by two pages counts twice" in note for note in headline.notes)
    months = report.table("engagement_months")
    assert months.rows == [
        ["2015-07", "West", 1000, 50, 5.0],
        ["2015-08", "West", 1200, 60, 5.0],
        ["2015-08", "East", 800, 40, 5.0],
        ["2015-09", "West", 1500, 90, 6.0],
        ["2015-09", "East", 1500, 50, 3.3],
    ]
    # 50 + 60 + 40 + 90 + 50 = 290 engagements of 6,000 reached: 4.8%.
    assert months.totals == ["Total (sum across accounts and months)", "", 6000, 290, 4.8]


def test_a_missing_comparison_figure_is_a_dash_never_zero_nor_100_percent(force: dict) -> None:
    web = AccountFactory(platform=WEB, name="Website", group=force["west"])
    observe(web, "sessions", "2015-11", 500)
    report = report_build(period_from="2015-11", period_to="2015-11", comparison="previous", now=NOW)
    summary = {row[0]: row[1:] for row in report.table("summary").rows}
    # No followers in November or October: missing, not 0.
    assert summary["Total digital community (followers and subscribers)"] == [None, None, None, None, "end of 2015-10"]
    assert summary["Website sessions"] == [500, None, None, None, "2015-10"]
    assert report.sections[0].paragraphs == ["No follower or subscriber figures were recorded for 2015-11."]
    # September against August: only X counted in August, so no change and no growth for the Facebook rows, nor
    # for the community (never 5,940 against X's 970 alone), and never +100 %.
    september = report_build(period_from="2015-09", period_to="2015-09", comparison="previous", now=NOW)
    facebook = september.table("followers_facebook")
    assert facebook.rows[0] == ["West", 1250, None, None, None]
    summary = {row[0]: row[1:] for row in september.table("summary").rows}
    assert summary["Total digital community (followers and subscribers)"][:4] == [5940, None, None, None]
    assert september.sections[0].paragraphs == ["The force's total digital community was 5,940 at the end of 2015-09."]
    assert html_tables(render_html(september))["followers_facebook"][0] == ["West", "1,250", DASH, DASH, DASH]
    data = json.loads(render_json(september))
    rows = next(t for s in data["sections"] for t in s["tables"] if t["key"] == "followers_facebook")["rows"]
    assert rows[0] == ["West", 1250, None, None, None]
    sheet = load_workbook(io.BytesIO(render_xlsx(september)))["followers_facebook"]
    west = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "West")
    assert west == ("West", 1250, None, None, None)


def test_every_table_of_figures_by_group_channel_or_month_has_a_total_row(force: dict) -> None:
    data = json.loads(render_json(build()))
    assert data["format_version"] == 2
    without = {
        t["key"] for s in data["sections"] for t in s["tables"] if t["totals"] is None and t["key"] != "warnings"
    }
    # Unlike measures side by side (a campaign's page views, opens and reports too): no total is meaningful.
    assert without <= {"summary", "events_surveys", "citizens_in_policing", "campaigns"}


def test_comparison_with_the_year_before_and_rows_by_account(force: dict) -> None:
    report = build(comparison="year", grouping="account")
    assert (report.compare_from, report.compare_to) == ("2014-02", "2014-09")
    facebook = report.table("followers_facebook")
    assert facebook.columns == ["Account", "At end of 2015-09", "At end of 2014-09", "Change", "Growth %"]
    assert [row[0] for row in facebook.rows] == ["Facebook: East FB", "Facebook: Force FB", "Facebook: West FB"]
    # No account figures for 2014-09: the channel's reported total stands in for the total.
    assert facebook.totals == ["Total", 4150, 3000, 1150, 38.3]
    none = build(comparison="none")
    assert none.compare_from == ""
    assert none.table("summary").columns == ["Measure", "2015-02 to 2015-09"]
    assert none.table("followers_facebook").columns == ["Group", "2015-02", "2015-06", "2015-09"]
