"""What the insights dashboard shows, read with a handful of aggregate queries (no report build).

The board report reads everything; the dashboard reads only its tiles, two growth tables, two 12-month
series and the figures OpenBeat knows itself, so its first load stays fast at millions of observations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from openbeat.areas.models import Division
from openbeat.core import metric_sources
from openbeat.core.months import month_shift, months_between
from openbeat.insights import kpis
from openbeat.insights.kpis import SOCIAL_PLATFORMS, growth_pct
from openbeat.insights.models import Account
from openbeat.insights.structure import Chart


@dataclass
class Tile:
    label: str
    value: float | None
    previous: float | None
    growth: float | None
    note: str = ""


@dataclass
class Dashboard:
    first: str
    last: str
    compare_from: str
    compare_to: str
    division: Division | None
    tiles: list[Tile] = field(default_factory=list)
    followers_by_platform: kpis.KpiTable | None = None
    followers_by_group: kpis.KpiTable | None = None
    engagement_by_platform: list[kpis.Engagement] = field(default_factory=list)
    followers_chart: Chart | None = None
    website_chart: Chart | None = None
    itk_by_division: list[tuple[str, float | None, float | None, float | None]] = field(default_factory=list)
    reports_by_type: list[tuple[str, float]] = field(default_factory=list)
    latest_alerts: list[dict] = field(default_factory=list)


def _followers_chart(*, last: str, division: Division | None) -> Chart:
    first = month_shift(last, -11)
    months = months_between(first, last)
    grid = kpis.grid(metrics=["followers"], first=first, last=last, by="platform", division=division,
                     platforms=SOCIAL_PLATFORMS)  # fmt: skip
    series: dict[str, list[float | None]] = defaultdict(lambda: [None] * len(months))
    index = {m: i for i, m in enumerate(months)}
    for (platform, _, month), cell in grid.items():
        series[str(Account.Platform(str(platform)).label)][index[month]] = cell.value
    return Chart(kind="line", title="Followers by channel, last 12 months", x=months,
                 series=sorted(series.items()), y_label="Followers")  # fmt: skip


def _website_chart(*, last: str, division: Division | None) -> Chart:
    first = month_shift(last, -11)
    sessions = kpis.monthly_series(metric="sessions", first=first, last=last, division=division,
                                   platforms=[Account.Platform.WEBSITE])  # fmt: skip
    return Chart(kind="bar", title="Website sessions by month, last 12 months", x=[m for m, _ in sessions],
                 series=[("Sessions", [v for _, v in sessions])], y_label="Sessions")  # fmt: skip


def _source_rows(
    *, first: str, last: str, compare_from: str, compare_to: str, division: Division | None
) -> tuple[list[tuple[str, float | None, float | None, float | None]], list[tuple[str, float]]]:
    code = division.code if division else None
    found = metric_sources.figures(first_month=compare_from, last_month=last)
    names = dict(Division.objects.values_list("code", "name"))
    itk: dict[str | None, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    reports: dict[str, float] = defaultdict(float)
    months = set(months_between(first, last))
    for f in found:
        if code is not None and f.division != code:
            continue
        # Figures are additive at the level they are given (a division, or a neighbourhood within one).
        if f.metric == "itk_subscribers" and not f.dimension:
            itk[f.division][f.month] += f.value
        elif f.metric == "reports_submitted" and f.dimension.startswith("type:") and f.month in months:
            reports[f.dimension.removeprefix("type:")] += f.value
    itk_rows = []
    for division_code, by_month in sorted(itk.items(), key=lambda item: names.get(item[0] or "", "~")):
        now, then = by_month.get(last), by_month.get(compare_to)
        itk_rows.append((names.get(division_code or "", "No division"), now, then, growth_pct(now, then)))
    return itk_rows, sorted(reports.items(), key=lambda item: -item[1])


def dashboard_build(*, first: str, last: str, division: Division | None = None) -> Dashboard:
    compare_from, compare_to = kpis.comparison_for(first, last)
    board = Dashboard(first, last, compare_from, compare_to, division)
    code = division.code if division else None
    community = kpis.total_digital_community(month=last, division=division, division_code=code)
    before = kpis.total_digital_community(month=compare_to, division=division, division_code=code)
    board.tiles = [
        Tile("Total digital community", community["total"], before["total"],
             growth_pct(community["total"], before["total"]), "Social media followers plus In the Know subscribers"),
        Tile("Social media followers", community["followers"], before["followers"],
             growth_pct(community["followers"], before["followers"])),
        Tile("In the Know subscribers", community["subscribers"], before["subscribers"],
             growth_pct(community["subscribers"], before["subscribers"])),
    ]  # fmt: skip
    args: dict[str, Any] = {
        "first": first, "last": last, "compare_from": compare_from, "compare_to": compare_to, "division": division,
    }  # fmt: skip
    board.followers_by_platform = kpis.kpi_table(metric="followers", by="platform", platforms=SOCIAL_PLATFORMS, **args)
    board.followers_by_group = kpis.kpi_table(metric="followers", by="group", platforms=SOCIAL_PLATFORMS, **args)
    board.engagement_by_platform = kpis.engagement_rates(first=first, last=last, by="platform", division=division,
                                                         platforms=SOCIAL_PLATFORMS)  # fmt: skip
    board.followers_chart = _followers_chart(last=last, division=division)
    board.website_chart = _website_chart(last=last, division=division)
    board.itk_by_division, board.reports_by_type = _source_rows(**args)
    board.latest_alerts = metric_sources.listing("latest_alerts", limit=5, division_code=code)
    return board
