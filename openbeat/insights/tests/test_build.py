"""report_build: every section and table, with figures worked out by hand from the observations below."""

from __future__ import annotations

import datetime

import pytest

from openbeat.areas.tests.factories import DivisionFactory
from openbeat.insights.build import report_build
from openbeat.insights.models import Account
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, observe, observe_series

pytestmark = pytest.mark.django_db

FB, X, WEB, OTHER = Account.Platform.FACEBOOK, Account.Platform.X, Account.Platform.WEBSITE, Account.Platform.OTHER


@pytest.fixture
def data() -> dict:
    west = DivisionFactory(code="west", name="West")
    g_west = GroupFactory(name="West", slug="west", division=west, sort_order=1)
    g_corp = GroupFactory(name="Corporate", slug="corporate", sort_order=0)
    fb_west = AccountFactory(platform=FB, name="West FB", group=g_west)
    fb_corp = AccountFactory(platform=FB, name="Force FB", group=g_corp)
    x_corp = AccountFactory(platform=X, name="@Force", group=g_corp)
    web = AccountFactory(platform=WEB, name="Website", group=g_corp)
    manual = AccountFactory(platform=OTHER, name="Manual", group=g_west)
    # Comparison period 2025-10..12, report period 2026-01..03.
    observe_series(fb_west, "followers", "2025-10", [900, 950, 1000, 1100, 1150, 1200])
    observe_series(fb_corp, "followers", "2025-10", [4000, 4100, 4200, 4300, 4400, 4500])
    observe_series(x_corp, "followers", "2025-10", [2000, 2000, 2000, 2100, 2100, 2200])
    observe_series(fb_corp, "engagements", "2026-01", [100, 200, 300])
    observe_series(fb_corp, "reach", "2026-01", [1000, 1500, 2000])
    observe_series(web, "sessions", "2026-01", [500, 600, 700])
    observe_series(web, "pageviews", "2026-01", [1500, 1800, 2100])
    observe_series(web, "users", "2026-01", [300, 350, 400])
    observe(web, "sessions", "2026-02", 450, "device:mobile")
    observe(web, "sessions", "2026-02", 150, "device:desktop")
    observe(web, "sessions", "2026-03", 525, "device:mobile")
    observe(web, "sessions", "2026-03", 175, "device:desktop")
    observe(manual, "events_held", "2025-12", 2)
    observe(manual, "events_held", "2026-02", 3)
    observe(manual, "events_held", "2026-03", 4)
    observe(manual, "special_constables", "2025-12", 40)
    observe(manual, "special_constables", "2026-03", 44)
    return {"west": west}


def build(**kwargs: object):  # type: ignore[no-untyped-def]
    return report_build(
        period_from="2026-01", period_to="2026-03", now=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC), **kwargs
    )


def test_followers_by_group_per_platform_with_growth(data: dict) -> None:
    report = build(comparison="previous")
    assert report.compare_from == "2025-10"
    assert report.compare_to == "2025-12"
    facebook = report.table("followers_facebook")
    # Corporate sorts first (sort_order 0): 4500 now, 4200 at the end of December, +7.1%.
    assert facebook.rows == [["Corporate", 4500, 4200, 300, 7.1], ["West", 1200, 1000, 200, 20.0]]
    assert facebook.totals == ["Total", 5700, 5200, 500, 9.6]
    assert facebook.chart is not None
    assert facebook.chart.x == ["Corporate", "West"]
    assert report.table("followers_x").rows == [["Corporate", 2200, 2000, 200, 10.0]]
    with pytest.raises(KeyError):
        report.table("followers_instagram")


def test_engagement_by_month_with_the_last_month_as_the_headline(data: dict) -> None:
    report = build()
    # March: 300 engagements of 2,000 reached, 15.0%.
    assert report.table("engagement").rows == [["Corporate", 2000, 300, 15.0]]
    months = report.table("engagement_months")
    assert months.rows == [
        ["2026-01", "Corporate", 1000, 100, 10.0],
        ["2026-02", "Corporate", 1500, 200, 13.3],
        ["2026-03", "Corporate", 2000, 300, 15.0],
    ]
    # 600 of 4,500: summed across accounts and months, and labelled so.
    assert months.totals == ["Total (sum across accounts and months)", "", 4500, 600, 13.3]


def test_engagement_rate_for_one_account_one_month(data: dict) -> None:
    report = report_build(period_from="2026-02", period_to="2026-02")
    assert report.table("engagement").rows == [["Corporate", 1500, 200, 13.3]]


def test_website_tables(data: dict) -> None:
    report = build()
    months = report.table("website_months")
    assert months.rows == [["2026-01", 500, 300, 1500], ["2026-02", 600, 350, 1800], ["2026-03", 700, 400, 2100]]
    assert months.totals == ["Total", 1800, None, 5400]
    devices = report.table("website_devices")
    # mobile 450 + 525 = 975 of 1300 = 75.0%.
    assert devices.rows == [["Mobile", 975, 75.0], ["Desktop", 325, 25.0]]
    assert report.table("website_sources").rows == []


def test_summary_events_and_citizens(data: dict) -> None:
    report = build(comparison="previous")
    summary = {row[0]: row[1:] for row in report.table("summary").rows}
    # Social followers at the end: 1200 + 4500 + 2200; at the end of December: 1000 + 4200 + 2000.
    assert summary["Social media followers"] == [7900, 7200, 700, 9.7, "end of 2025-12"]
    assert summary["Website sessions"] == [1800, None, None, None, "2025-10 to 2025-12"]
    events = {row[0]: row[1:] for row in report.table("events_surveys").rows}
    assert events["Events held"] == [7, 2, 5, 250.0]
    people = {row[0]: row[1:] for row in report.table("citizens_in_policing").rows}
    assert people["Special constables"] == [44, 40, 4, 10.0]


def test_sections_in_order_and_warnings(data: dict) -> None:
    report = build()
    assert [s.key for s in report.sections] == [
        "summary",
        "twelve_months",
        "followers",
        "engagement",
        "itk",
        "website",
        "online_reporting",
        "events_surveys",
        "citizens_in_policing",
        "campaigns",  # registered by openbeat.campaigns (core.metric_sources.register_report_section)
        "warnings",
    ]
    kinds = [(w.kind, w.metric, w.month) for w in report.warnings]
    # Events: December, February, March (monthly), so January is a gap: one warning for the series. Special
    # constables: December and March, a quarterly count with no gap.
    assert [k for k in kinds if k[0] == "missing_month"] == [("missing_month", "events_held", "2026-01")]
    assert ("not_additive", "users", "") in kinds
    twelve = report.table("twelve_months")
    # The base month (March 2025) and the 12 months after it.
    assert len(twelve.rows) == 13
    assert twelve.rows[0][0] == "2025-03"
    assert twelve.rows[-1][0] == "2026-03"
    assert twelve.rows[-1][1] == 7900


def test_division_report_only_counts_its_accounts(data: dict) -> None:
    report = build(division="west", comparison="previous")
    assert report.division == "West"
    assert report.table("followers_facebook").rows == [["West", 1200, 1000, 200, 20.0]]
    summary = {row[0]: row[1:] for row in report.table("summary").rows}
    assert summary["Social media followers"][0] == 1200


def test_bad_months_refused() -> None:
    with pytest.raises(ValueError, match="must be a month like"):
        report_build(period_from="2026-13", period_to="2026-12")
    with pytest.raises(ValueError, match="must not be after"):
        report_build(period_from="2026-03", period_to="2026-01")


def test_json_has_every_table(data: dict) -> None:
    payload = build().to_json()
    keys = {t["key"] for s in payload["sections"] for t in s["tables"]}
    assert {"summary", "itk_divisions", "online_reporting", "website_months", "engagement"} <= keys


def test_itk_falls_back_to_imported_registered_users(data: dict) -> None:
    itk = AccountFactory(platform=Account.Platform.ITK, name="In the Know", group=GroupFactory(name="Force-wide"))
    observe(itk, "registered_users", "2025-12", 2000)
    observe(itk, "registered_users", "2026-03", 2100)
    report = build(comparison="previous")
    assert report.table("itk_divisions").rows == [["Force-wide", 2100, 2000, 100, 5.0, None, None]]
    summary = {row[0]: row[1:] for row in report.table("summary").rows}
    assert summary["In the Know subscribers"] == [2100, 2000, 100, 5.0, "end of 2025-12"]
    # Within the period only March has a count: one column, no growth.
    assert build().table("itk_divisions").rows == [["Force-wide", 2100, None, None]]
    # Followers 7,900 + 2,100 subscribers.
    assert summary["Total digital community (followers and subscribers)"][0] == 10000


def test_online_reporting_by_type_and_alerts_in_the_summary(data: dict) -> None:
    from django.utils import timezone

    from openbeat.delivery.tests.feedback_world import alert_in
    from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory

    def at(month: int, day: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime(2026 if month < 10 else 2025, month, day, 12))

    crime, lost = ReportTypeFactory(slug="crime"), ReportTypeFactory(slug="lost-property")
    for report_type, when in [(crime, at(1, 5)), (crime, at(3, 9)), (lost, at(2, 1)), (crime, at(11, 3))]:
        ReportFactory(report_type=report_type, division=data["west"], created_at=when)
    alert_in(data["west"], sending_at=at(2, 2))
    alert_in(None, sending_at=at(10, 2))
    report = build(comparison="previous")
    table = report.table("online_reporting")
    # Crime: 2 now, 1 in the quarter before (+100.0%); lost property: 1 now, none before.
    assert table.rows == [["Crime", 2, 1, 1, 100.0], ["Lost property", 1, 0, 1, None]]
    assert table.totals == ["Total", 3, 1, 2, 200.0]
    summary = {row[0]: row[1:] for row in report.table("summary").rows}
    assert summary["Online reports"] == [3, 1, 2, 200.0, "2025-10 to 2025-12"]
    assert summary["Alerts sent"] == [1, 1, 0, 0.0, "2025-10 to 2025-12"]


def test_query_count_does_not_grow_with_the_data(data: dict) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        build()
    group = GroupFactory(name="Many pages")
    for n in range(15):
        page = AccountFactory(platform=FB, name=f"Page {n}", group=group)
        observe_series(page, "followers", "2025-10", [n * 10 + k for k in range(6)])
        observe_series(page, "engagements", "2026-01", [n, n, n])
    with CaptureQueriesContext(connection) as many:
        report = build()
    assert len(many.captured_queries) == len(few.captured_queries)
    # Columns: group, January, February, March, change, growth.
    assert report.table("followers_facebook").totals[3] == 5700 + sum(n * 10 + 5 for n in range(15))
