"""KPIs against figures worked out by hand."""

from __future__ import annotations

import pytest

from openbeat.insights import kpis
from openbeat.insights.models import Account
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, MetricFactory, observe, observe_series

pytestmark = pytest.mark.django_db

FB, X, ITK = Account.Platform.FACEBOOK, Account.Platform.X, Account.Platform.ITK


def test_the_comparison_period_is_the_same_length_just_before() -> None:
    assert kpis.comparison_for("2026-01", "2026-03") == ("2025-10", "2025-12")
    assert kpis.comparison_for("2026-01", "2026-01") == ("2025-12", "2025-12")


def test_growth_is_rounded_to_one_decimal_place() -> None:
    assert kpis.growth_pct(1300, 1234) == 5.3  # 5.348...
    assert kpis.growth_pct(950, 1000) == -5.0
    assert kpis.growth_pct(10, 0) is None
    assert kpis.growth_pct(None, 10) is None
    assert kpis.rate_pct(200, 1500) == 13.3


@pytest.fixture
def accounts() -> dict[str, Account]:
    north, south = GroupFactory(name="North", sort_order=1), GroupFactory(name="South", sort_order=2)
    return {
        "n1": AccountFactory(platform=FB, name="North FB", group=north),
        "n2": AccountFactory(platform=X, name="@North", group=north),
        "s1": AccountFactory(platform=FB, name="South FB", group=south),
        "total": AccountFactory(platform=FB, name="All Facebook accounts", group=None, is_channel_total=True),
    }


def test_stock_is_the_value_at_the_end_by_account_group_and_platform(accounts: dict[str, Account]) -> None:
    observe_series(accounts["n1"], "followers", "2025-12", [1234, 1250, 1280, 1300])
    observe_series(accounts["n2"], "followers", "2025-12", [500, 510, 520, 530])
    observe_series(accounts["s1"], "followers", "2025-12", [800, 790, 780, 760])
    observe_series(accounts["total"], "followers", "2025-12", [99999] * 4)  # never added in
    common = {"metric": "followers", "first": "2026-01", "last": "2026-03", "compare_from": "2025-12"}

    by_group = kpis.kpi_table(**common, compare_to="2025-12", by="group")
    assert [(r.label, r.current, r.previous, r.change, r.growth) for r in by_group.rows] == [
        ("North", 1830, 1734, 96, 5.5),  # 96 / 1734 = 5.536%
        ("South", 760, 800, -40, -5.0),
    ]
    assert (by_group.total.current, by_group.total.previous, by_group.total.growth) == (2590, 2534, 2.2)

    by_platform = kpis.kpi_table(**common, compare_to="2025-12", by="platform")
    assert {r.label: r.current for r in by_platform.rows} == {"Facebook": 2060, "X (Twitter)": 530}

    by_account = kpis.kpi_table(**common, compare_to="2025-12", by="account")
    assert {r.label: r.growth for r in by_account.rows} == {
        "Facebook: North FB": 5.3,
        "Facebook: South FB": -5.0,
        "X (Twitter): @North": 6.0,
    }


def test_stock_missing_at_the_end_is_not_guessed(accounts: dict[str, Account]) -> None:
    observe_series(accounts["n1"], "followers", "2026-01", [100, 110])  # nothing for March
    observe_series(accounts["s1"], "followers", "2026-01", [200, 210, 220])
    table = kpis.kpi_table(
        metric="followers", first="2026-01", last="2026-03", compare_from="2025-10", compare_to="2025-12", by="account"
    )
    north = next(r for r in table.rows if "North" in r.label)
    assert north.current is None
    assert north.note == "no figure for 2026-03"
    assert table.total.current == 220
    assert table.notes


def test_flow_sums_the_months_and_accounts(accounts: dict[str, Account]) -> None:
    observe_series(accounts["n1"], "engagements", "2025-10", [10, 20, 30, 40, 50, 60])
    observe_series(accounts["s1"], "engagements", "2026-01", [5, 5])
    table = kpis.kpi_table(
        metric="engagements", first="2026-01", last="2026-03", compare_from="2025-10", compare_to="2025-12", by="group"
    )
    assert [(r.label, r.current, r.previous, r.growth) for r in table.rows] == [
        ("North", 150, 60, 150.0),
        ("South", 10, None, None),
    ]
    assert (table.total.current, table.total.previous) == (160, 60)


def test_unique_is_refused_over_months_and_accounts(accounts: dict[str, Account]) -> None:
    observe(accounts["n1"], "reach", "2026-02", 1000)
    observe(accounts["n2"], "reach", "2026-02", 400)
    observe(accounts["n1"], "reach", "2026-03", 900)
    one_month = {"metric": "reach", "first": "2026-02", "last": "2026-02", "compare_from": "2026-01"}
    per_account = kpis.kpi_table(**one_month, compare_to="2026-01", by="account")
    assert sorted(r.current for r in per_account.rows) == [400, 1000]
    assert per_account.total.current is None
    assert "cannot be added" in per_account.total.note
    per_group = kpis.kpi_table(**one_month, compare_to="2026-01", by="group")
    assert per_group.rows[0].current is None
    assert per_group.rows[0].note == kpis.NOT_ADDITIVE_ACCOUNTS
    quarter = kpis.kpi_table(
        metric="reach", first="2026-01", last="2026-03", compare_from="2025-10", compare_to="2025-12", by="account"
    )
    assert all(r.current is None and r.note == kpis.NOT_ADDITIVE_MONTHS for r in quarter.rows)


def test_engagement_rate_only_where_reach_is_additive(accounts: dict[str, Account]) -> None:
    observe(accounts["n1"], "reach", "2026-02", 1500)
    observe(accounts["n1"], "engagements", "2026-02", 200)
    observe(accounts["n2"], "reach", "2026-02", 500)
    observe(accounts["n2"], "engagements", "2026-02", 50)
    per_account = kpis.engagement_rates(first="2026-02", last="2026-02", by="account")
    assert [(r.reach, r.engagements, r.rate) for r in per_account] == [(1500, 200, 13.3), (500, 50, 10.0)]
    per_group = kpis.engagement_rates(first="2026-02", last="2026-02", by="group")
    assert [(r.reach, r.engagements, r.rate) for r in per_group] == [(None, 250, None)]
    assert "no rate is given" in per_group[0].note


def test_engagement_rate_with_a_force_defined_additive_reach(accounts: dict[str, Account]) -> None:
    from openbeat.insights.models import Metric

    Metric.objects.filter(slug="reach").delete()
    MetricFactory(slug="reach", aggregation=Metric.Aggregation.FLOW)
    observe_series(accounts["n1"], "reach", "2026-01", [1000, 1000])
    observe_series(accounts["n2"], "reach", "2026-01", [500, 500])
    observe_series(accounts["n1"], "engagements", "2026-01", [30, 40])
    rates = kpis.engagement_rates(first="2026-01", last="2026-02", by="group")
    assert [(r.reach, r.engagements, r.rate) for r in rates] == [(3000, 70, 2.3)]


def test_month_on_month(accounts: dict[str, Account]) -> None:
    observe_series(accounts["n1"], "followers", "2026-01", [1000, 1100])
    observe(accounts["n1"], "followers", "2026-04", 1200)
    observe_series(accounts["s1"], "followers", "2026-01", [500, 550])
    series = kpis.monthly_series(metric="followers", first="2026-01", last="2026-04")
    assert kpis.month_on_month(series) == [
        ("2026-01", 1500, None),
        ("2026-02", 1650, 10.0),
        ("2026-03", None, None),
        ("2026-04", 1200, None),
    ]
    north_only = kpis.monthly_series(metric="followers", first="2026-01", last="2026-02", group=accounts["n1"].group)
    assert north_only == [("2026-01", 1000), ("2026-02", 1100)]


def test_dimension_shares(accounts: dict[str, Account]) -> None:
    web = AccountFactory(platform=Account.Platform.WEBSITE, name="Site", group=None)
    observe(web, "sessions", "2026-01", 300, "device:mobile")
    observe(web, "sessions", "2026-02", 300, "device:mobile")
    observe(web, "sessions", "2026-01", 250, "device:desktop")
    observe(web, "sessions", "2026-01", 50, "device:tablet")
    observe(web, "sessions", "2026-01", 999, "source:social")  # another dimension
    observe(web, "sessions", "2026-01", 900)  # the whole
    shares = kpis.dimension_shares(metric="sessions", prefix="device", first="2026-01", last="2026-02")
    assert shares == [("mobile", 600, 66.7), ("desktop", 250, 27.8), ("tablet", 50, 5.6)]


def test_total_digital_community(accounts: dict[str, Account]) -> None:
    observe(accounts["n1"], "followers", "2026-03", 1000)
    observe(accounts["n2"], "followers", "2026-03", 500)
    observe(accounts["total"], "followers", "2026-03", 7777)
    web = AccountFactory(platform=Account.Platform.WEBSITE, name="Site")
    observe(web, "followers", "2026-03", 123)  # not a social account
    itk = AccountFactory(platform=ITK, name="In the Know")
    observe(itk, "registered_users", "2026-03", 2500)
    # No subscribers in the database, so the registered users observed on the In the Know account count.
    assert kpis.total_digital_community(month="2026-03") == {"followers": 1500, "subscribers": 2500, "total": 4000}


def test_a_few_queries_whatever_the_number_of_accounts(django_assert_max_num_queries, accounts) -> None:  # type: ignore[no-untyped-def]
    group = GroupFactory(name="Many")
    for n in range(30):
        observe_series(AccountFactory(platform=FB, name=f"Page {n}", group=group), "followers", "2026-01", [n, n + 1])
    with django_assert_max_num_queries(5):
        table = kpis.kpi_table(
            metric="followers",
            first="2026-02",
            last="2026-02",
            compare_from="2026-01",
            compare_to="2026-01",
            by="group",
        )
    assert table.rows[0].current == sum(n + 1 for n in range(30))


def test_dashboard_series_and_growth_by_channel(accounts: dict[str, Account]) -> None:
    from openbeat.insights.selectors import followers_growth, observed_months, series

    assert observed_months() is None
    observe_series(accounts["n1"], "followers", "2026-01", [100, 120, 150, 200])
    observe_series(accounts["n2"], "followers", "2026-01", [10, 10, 10, 10])
    assert series("followers", ["2026-03", "2026-04"], platform=FB) == [("2026-03", 150), ("2026-04", 200)]
    assert series("followers", ["2026-04"], group=accounts["n2"].group) == [("2026-04", 210)]
    assert observed_months() == ("2026-01", "2026-04")
    growth = followers_growth(first="2026-03", last="2026-04")  # against 2026-01..02
    assert {r.label: (r.current, r.previous, r.growth) for r in growth.rows} == {
        "Facebook": (200, 120, 66.7),
        "X (Twitter)": (10, 10, 0.0),
    }
