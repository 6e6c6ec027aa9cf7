"""Data-quality warnings."""

from __future__ import annotations

import pytest

from openbeat.areas.tests.factories import DivisionFactory
from openbeat.insights.kpis import Slice
from openbeat.insights.models import Account
from openbeat.insights.tests.factories import AccountFactory, GroupFactory, observe, observe_series
from openbeat.insights.warnings import warnings_for

pytestmark = pytest.mark.django_db

FB = Account.Platform.FACEBOOK


def found(first: str = "2026-01", last: str = "2026-03", **kwargs: object) -> set[tuple[str, str, str, str]]:
    return {(w.kind, w.account, w.metric, w.month) for w in warnings_for(first_month=first, last_month=last, **kwargs)}


@pytest.fixture
def pages() -> tuple[Account, Account, Account]:
    group = GroupFactory(name="Corporate")
    total = AccountFactory(platform=FB, name="All Facebook accounts", group=None, is_channel_total=True)
    return AccountFactory(platform=FB, name="A", group=group), AccountFactory(platform=FB, name="B", group=group), total


def test_channel_total_disagreeing_with_its_accounts(pages: tuple[Account, Account, Account]) -> None:
    a, b, total = pages
    observe_series(a, "followers", "2026-01", [1000, 1000, 1000])
    observe_series(b, "followers", "2026-01", [1000, 1000, 1000])
    # January: 2,010 against 2,000 is within 1% (20): shown, as minor. February: 2,030 is not. March: equal.
    observe_series(total, "followers", "2026-01", [2010, 2030, 2000])
    warnings = warnings_for(first_month="2026-01", last_month="2026-03")
    mismatches = [w for w in warnings if w.kind == "total_mismatch"]
    assert [(w.metric, w.month, w.severity) for w in mismatches] == [
        ("followers", "2026-01", "minor"),
        ("followers", "2026-02", "major"),
    ]
    assert "2,030" in mismatches[1].message
    assert "2,000" in mismatches[1].message
    # The report's path: the same check from the slice it has already read.
    data = Slice.load(first="2026-01", last="2026-03")
    from_slice = warnings_for(first_month="2026-01", last_month="2026-03", data=data)
    assert [w for w in from_slice if w.kind == "total_mismatch"] == mismatches


def test_small_figures_need_a_difference_over_five_to_be_major(pages: tuple[Account, Account, Account]) -> None:
    a, _, total = pages
    observe(a, "engagements", "2026-01", 100)
    observe(total, "engagements", "2026-01", 105)  # 5 over: 5% but only 5
    observe(a, "engagements", "2026-02", 100)
    observe(total, "engagements", "2026-02", 106)
    warnings = warnings_for(first_month="2026-01", last_month="2026-03")
    severities = {w.month: w.severity for w in warnings if w.kind == "total_mismatch"}
    assert severities == {"2026-01": "minor", "2026-02": "major"}


def test_the_threshold_sets_the_severity_never_whether_it_is_shown(pages: tuple[Account, Account, Account]) -> None:
    a, _, total = pages
    observe(a, "followers", "2026-01", 2000)
    observe(total, "followers", "2026-01", 2010)  # 10 over: 0.5%

    def severity(**kwargs: object) -> list[str]:
        found = warnings_for(first_month="2026-01", last_month="2026-01", **kwargs)
        return [w.severity for w in found if w.kind == "total_mismatch"]

    assert severity() == ["minor"]
    assert severity(threshold_pct=0.25) == ["major"]
    assert severity(threshold_pct=5) == ["minor"]


def test_unique_totals_are_not_compared(pages: tuple[Account, Account, Account]) -> None:
    a, b, total = pages
    observe(a, "reach", "2026-01", 1000)
    observe(b, "reach", "2026-01", 1000)
    observe(total, "reach", "2026-01", 1500)  # people reached by both pages are one person in the total
    assert not [w for w in found("2026-01", "2026-01") if w[0] == "total_mismatch"]


def test_missing_month_in_a_series(pages: tuple[Account, Account, Account]) -> None:
    a, b, _ = pages
    observe(a, "followers", "2025-12", 10)  # monthly (a gap of one month, then two): February is missing
    observe(a, "followers", "2026-01", 10)
    observe(a, "followers", "2026-03", 12)
    observe(b, "followers", "2025-12", 50)  # began before the period, then stopped
    observe(b, "comments", "2025-11", 5)  # stopped two months before: a finished series, not a gap
    observe(b, "engagements", "2026-02", 7)  # began inside the period: January is not missing
    observe(b, "engagements", "2026-03", 7)
    # Once per series, at the first month missing: A's February; B's followers, due in January, never came.
    missing = {(w[1], w[2], w[3]) for w in found() if w[0] == "missing_month"}
    assert missing == {("Facebook: A", "followers", "2026-02"), ("Facebook: B", "followers", "2026-01")}


def test_implausible_jump_with_a_floor(pages: tuple[Account, Account, Account]) -> None:
    a, b, _ = pages
    observe_series(a, "followers", "2025-12", [1000, 1100, 6000, 1000])  # x5.45 in Feb, /6 in Mar
    observe_series(b, "followers", "2025-12", [3, 40, 45, 50])  # a new page: under the floor
    observe_series(b, "engagements", "2025-12", [10, 1000, 10, 10])  # a flow: not checked
    jumps = sorted((w[1], w[3]) for w in found() if w[0] == "implausible_jump")
    assert jumps == [("Facebook: A", "2026-02"), ("Facebook: A", "2026-03")]


def test_jump_into_the_first_month_is_checked_against_the_month_before(pages: tuple[Account, Account, Account]) -> None:
    a, _, _ = pages
    observe(a, "followers", "2025-12", 100)
    observe(a, "followers", "2026-01", 900)
    assert ("implausible_jump", "Facebook: A", "followers", "2026-01") in found()


def test_account_without_a_group() -> None:
    lone = AccountFactory(platform=FB, name="Lonely page", group=None)
    AccountFactory(platform=FB, name="Quiet page", group=None)  # no figures: no warning
    observe(lone, "followers", "2026-02", 10)
    assert [w for w in found() if w[0] == "ungrouped_account"] == [
        ("ungrouped_account", "Facebook: Lonely page", "", "")
    ]


def test_non_additive_metrics_over_several_months(pages: tuple[Account, Account, Account]) -> None:
    a, _, _ = pages
    observe(a, "reach", "2026-02", 100)
    assert ("not_additive", "", "reach", "") in found()
    assert not [w for w in found("2026-02", "2026-02") if w[0] == "not_additive"]


def test_division_scope(pages: tuple[Account, Account, Account]) -> None:
    west = DivisionFactory(code="west")
    mine = AccountFactory(platform=FB, name="West page", group=GroupFactory(name="West", division=west))
    a, _, _ = pages
    observe(mine, "followers", "2026-01", 10)
    observe(a, "followers", "2026-01", 10)
    missing = {w[1] for w in found(division=west) if w[0] == "missing_month"}
    assert missing == {"Facebook: West page"}
