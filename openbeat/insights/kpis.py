"""KPIs computed from observations when asked: period values, change, growth, rates, shares.

Every figure starts as one aggregate query (GROUP BY key, metric, month in SQL) that reduces any number of
observations to a small grid of monthly sums; the period rules below then run on that grid in Python:

- stock (followers): the value in the period's last month; accounts add up.
- flow (page views): the sum over the period's months; accounts add up.
- unique (users, reach): only a single account's single month is a figure. Over several months or several
  accounts it is refused with a reason, never summed (a person counted in two months is one person).

The report reads monthly observations (granularity "month"). Channel totals (`is_channel_total`) are never
added to their accounts: they are only compared with them by the data-quality checks.

Growth is `(current - previous) / previous * 100`, rounded to one decimal place; None when the previous
figure is missing or zero.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Count, Q, Sum

from openbeat.areas.models import Division
from openbeat.core.metric_sources import figures
from openbeat.core.months import month_of, month_shift, month_start, months_between
from openbeat.insights.models import Account, Metric, Observation, ReportingGroup
from openbeat.insights.selectors import groups_in_order, observations_with_group

By = Literal["account", "group", "platform", "force"]
SOCIAL_PLATFORMS = (Account.Platform.FACEBOOK, Account.Platform.X, Account.Platform.INSTAGRAM, Account.Platform.YOUTUBE)
UNGROUPED = "No group"

NOT_ADDITIVE_MONTHS = "counts unique people per month, so months cannot be added into a period figure"
NOT_ADDITIVE_ACCOUNTS = "counts unique people per account, so accounts cannot be added together"
NOT_ADDITIVE_SCORE_MONTHS = "is a mean score per month, so months cannot be added into a period figure"
NOT_ADDITIVE_SCORE_ACCOUNTS = "is a mean score per account, so accounts cannot be added together"
NOT_ADDITIVE = (Metric.Aggregation.UNIQUE, Metric.Aggregation.SCORE)


# --- months -------------------------------------------------------------------------------------------------


def comparison_for(first: str, last: str) -> tuple[str, str]:
    """The period of the same length immediately before first..last."""
    length = len(months_between(first, last))
    return month_shift(first, -length), month_shift(first, -1)


def growth_pct(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None or previous == 0:
        return None
    return round((current - previous) / previous * 100, 1)


def rate_pct(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator / denominator * 100, 1)


# --- the monthly grid ---------------------------------------------------------------------------------------


@dataclass
class Cell:
    value: float
    accounts: int  # how many accounts' observations were added into value


Key = int | str | None  # an account or group pk, a platform, or None for the whole scope
Grid = dict[tuple[Key, str, str], Cell]  # (key, metric slug, month) -> Cell

_KEY_FIELD = {"account": "account_id", "group": "effective_group_id", "platform": "account__platform"}


def aggregations(slugs: Iterable[str]) -> dict[str, str]:
    return dict(Metric.objects.filter(slug__in=list(slugs)).values_list("slug", "aggregation"))


def observations_for(*, division: Division | None = None, platforms: Iterable[str] | None = None) -> Q:
    """The observations a scope covers: accounts (not channel totals), optionally one division's, some platforms."""
    q = Q(account__is_channel_total=False)
    if division is not None:
        q &= in_division(division)
    if platforms is not None:
        q &= Q(account__platform__in=list(platforms))
    return q


def in_division(division: Division) -> Q:
    """The observations (from `observations_with_group()`) whose figures belong to one of the division's groups."""
    return Q(effective_group_id__in=ReportingGroup.objects.filter(division=division).values("pk"))


def grid(
    *,
    metrics: Iterable[str],
    first: str,
    last: str,
    by: By,
    division: Division | None = None,
    platforms: Iterable[str] | None = None,
    dimension: str = "",
) -> Grid:
    """One aggregate query: monthly sums per (key, metric, month) for first..last."""
    rows = observations_with_group().filter(
        observations_for(division=division, platforms=platforms),
        metric__slug__in=list(metrics),
        granularity=Observation.Granularity.MONTH,
        period_start__gte=month_start(first),
        period_start__lte=month_start(last),
        dimension=dimension,
    )
    fields = ["metric__slug", "period_start"]
    if by != "force":
        fields.insert(0, _KEY_FIELD[by])
    out: Grid = {}
    for row in rows.values(*fields).annotate(v=Sum("value"), n=Count("id")).order_by():
        key = row.get(_KEY_FIELD.get(by, ""), None) if by != "force" else None
        out[(key, row["metric__slug"], month_of(row["period_start"]))] = Cell(row["v"], row["n"])
    return out


@dataclass
class PeriodValue:
    value: float | None
    note: str = ""  # why value is None


def period_value(aggregation: str, cells: dict[str, Cell], months: list[str]) -> PeriodValue:
    """A period's figure from one key's monthly cells (month -> Cell), by the metric's aggregation."""
    present = [cells[m] for m in months if m in cells]
    if not present:
        return PeriodValue(None, "no figures for the period")
    if aggregation == Metric.Aggregation.STOCK:
        end = cells.get(months[-1])
        if end is None:
            return PeriodValue(None, f"no figure for {months[-1]}")
        return PeriodValue(end.value)
    if aggregation == Metric.Aggregation.SCORE:
        if len(months) > 1:
            return PeriodValue(None, NOT_ADDITIVE_SCORE_MONTHS)
        if present[0].accounts > 1:
            return PeriodValue(None, NOT_ADDITIVE_SCORE_ACCOUNTS)
        return PeriodValue(present[0].value)
    if aggregation == Metric.Aggregation.UNIQUE:
        if len(months) > 1:
            return PeriodValue(None, NOT_ADDITIVE_MONTHS)
        if present[0].accounts > 1:
            return PeriodValue(None, NOT_ADDITIVE_ACCOUNTS)
        return PeriodValue(present[0].value)
    return PeriodValue(sum(c.value for c in present))


def cells_of(g: Grid, key: Key, metric: str) -> dict[str, Cell]:
    return {m: c for (k, s, m), c in g.items() if k == key and s == metric}


# --- KPI rows -----------------------------------------------------------------------------------------------


@dataclass
class KpiRow:
    key: Key
    label: str
    current: float | None
    previous: float | None
    change: float | None
    growth: float | None  # percent, one decimal place
    note: str = ""


@dataclass
class KpiTable:
    metric: str
    aggregation: str
    rows: list[KpiRow]
    total: KpiRow
    notes: list[str] = field(default_factory=list)


def _row(key: Key, label: str, current: PeriodValue, previous: PeriodValue) -> KpiRow:
    change = None
    if current.value is not None and previous.value is not None:
        change = current.value - previous.value
    return KpiRow(
        key,
        label,
        current.value,
        previous.value,
        change,
        growth_pct(current.value, previous.value),
        current.note or previous.note,
    )


def _labels(by: By, keys: Iterable[Key]) -> dict[Key, str]:
    present = [k for k in keys if k is not None]
    if by == "group":
        return dict(ReportingGroup.objects.filter(pk__in=present).values_list("pk", "name"))
    if by == "account":
        return {a.pk: str(a) for a in Account.objects.filter(pk__in=present)}
    if by == "platform":
        return {
            k: str(Account.Platform(k).label) for k in present if isinstance(k, str) and k in Account.Platform.values
        }
    return {}


def _sort_groups(keys: Iterable[Key]) -> list[Key]:
    order: dict[Key, int] = {pk: i for i, pk in enumerate(groups_in_order().values_list("pk", flat=True))}
    return sorted(keys, key=lambda k: (k is None, order.get(k, 0)))


def ordered(by: By, keys: Iterable[Key]) -> list[tuple[Key, str]]:
    """(key, label) in the order a table shows them: groups in the force's order, the rest by label."""
    keys = set(keys)
    labels = _labels(by, keys)
    fallback = UNGROUPED if by == "group" else ""
    if by == "group":
        return [(k, labels.get(k, UNGROUPED)) for k in _sort_groups(keys)]
    found = sorted(keys, key=lambda k: (k is None, labels.get(k, str(k))))
    return [(k, labels.get(k, fallback or str(k))) for k in found]


def kpi_table(
    *,
    metric: str,
    first: str,
    last: str,
    compare_from: str,
    compare_to: str,
    by: By,
    division: Division | None = None,
    platforms: Iterable[str] | None = None,
) -> KpiTable:
    """Value now and in the comparison period, change and growth, for each key of `by`, with a total row.

    Two aggregate queries (the current and the comparison period) whatever the number of observations.
    """
    aggregation = aggregations([metric]).get(metric, Metric.Aggregation.FLOW)
    now_grid = grid(metrics=[metric], first=first, last=last, by=by, division=division, platforms=platforms)
    then_grid = grid(
        metrics=[metric], first=compare_from, last=compare_to, by=by, division=division, platforms=platforms
    )
    return kpi_table_from(
        metric=metric,
        aggregation=aggregation,
        now={k: cells_of(now_grid, k, metric) for k in {k for k, _, _ in now_grid}},
        then={k: cells_of(then_grid, k, metric) for k in {k for k, _, _ in then_grid}},
        months=months_between(first, last),
        before=months_between(compare_from, compare_to),
        by=by,
    )


def kpi_table_from(
    *,
    metric: str,
    aggregation: str,
    now: dict[Key, dict[str, Cell]],
    then: dict[Key, dict[str, Cell]],
    months: list[str],
    before: list[str],
    by: By,
) -> KpiTable:
    """The KPI table from monthly cells already read ({key: {month: Cell}} for each period)."""
    keys = set(now) | set(then)
    labels = _labels(by, keys)
    ordered = _sort_groups(keys) if by == "group" else sorted(keys, key=lambda k: (k is None, labels.get(k, str(k))))
    rows = [
        _row(
            k,
            labels.get(k, UNGROUPED if by == "group" else str(k)),
            period_value(aggregation, now.get(k, {}), months),
            period_value(aggregation, then.get(k, {}), before),
        )
        for k in ordered
    ]
    notes: list[str] = []
    if aggregation == Metric.Aggregation.UNIQUE:
        total = KpiRow(None, "Total", None, None, None, None, NOT_ADDITIVE_ACCOUNTS)
        notes.append(f"{metric.replace('_', ' ').capitalize()} {NOT_ADDITIVE_ACCOUNTS}; no total is given.")
    else:
        total = _row(None, "Total", _sum([r.current for r in rows]), _sum([r.previous for r in rows]))
        if aggregation == Metric.Aggregation.STOCK and any(r.current is None for r in rows):
            notes.append(
                f"Some {metric.replace('_', ' ')} figures for {months[-1]} are missing; the total leaves them out."
            )
    return KpiTable(metric, aggregation, rows, total, notes)


def _sum(values: list[float | None]) -> PeriodValue:
    present = [v for v in values if v is not None]
    return PeriodValue(sum(present)) if present else PeriodValue(None, "no figures")


# --- a report's slice: everything read once --------------------------------------------------------------


SliceKey = tuple[str, int | None, str, str, str]  # (platform, group pk, metric slug, month, dimension)
Rows = Literal["group", "account"]  # what the "group" place of a slice's key holds


class Slice:
    """A span of months reduced once in SQL to (platform, group, metric, month, dimension) -> Cell.

    The board report reads every table from one slice: one GROUP BY over the months it needs, like the bare
    aggregate a hand-written report would run, then small sums over a few thousand cells in Python. Loaded with
    rows="account", the group place holds the account instead (the report grouped by account).
    """

    def __init__(
        self,
        cells: dict[SliceKey, Cell],
        aggregation: dict[str, str],
        channel_totals: dict[tuple[str, str, str], float] | None = None,
        rows: Rows = "group",
        group_totals: dict[tuple[str, int, str, str], float] | None = None,
    ) -> None:
        self.aggregation = aggregation
        self.rows = rows
        # (platform, group pk, metric, month) -> a group's own reported total on a channel: its figure where its
        # accounts have none, and compared with their sum by the data-quality checks.
        self.group_totals = group_totals or {}
        # (platform, metric, month) -> a channel's own reported total: the channel's figure where its accounts
        # have none, shown beside their sum where both exist, and compared with it by the data-quality checks.
        self.channel_totals = channel_totals or {}
        self._by_metric: dict[str, list[tuple[SliceKey, Cell]]] = defaultdict(list)
        self._channels: dict[str, dict[Key, dict[str, Cell]]] = {}
        for key, cell in cells.items():
            self._by_metric[key[2]].append((key, cell))

    @classmethod
    def load(cls, *, first: str, last: str, division: Division | None = None, rows: Rows = "group") -> Slice:
        # Channel totals come in the same query: a channel's (no group: a division leaves them out) and a group's
        # on the channel (a total account's figure given for a group, e.g. a file's "TOTAL,West" row).
        fields = ["account__platform", "effective_group_id", "account__is_channel_total", "metric_id", "period_start"]
        key = "effective_group_id" if rows == "group" else "account_id"
        found = (
            observations_with_group()
            .filter(
                in_division(division) if division is not None else Q(),
                granularity=Observation.Granularity.MONTH,
                period_start__gte=month_start(first),
                period_start__lte=month_start(last),
            )
            .values(*fields, "dimension", *(["account_id"] if rows == "account" else []))
            .annotate(v=Sum("value"), n=Count("id"))
            .order_by()
        )  # fmt: skip
        # Metric ids and months are mapped here rather than joined and formatted per row in SQL.
        metrics = {pk: (slug, how) for pk, slug, how in Metric.objects.values_list("pk", "slug", "aggregation")}
        month_for = {month_start(m): m for m in months_between(first, last)}
        cells: dict[SliceKey, Cell] = {}
        totals: dict[tuple[str, str, str], float] = {}
        group_totals: dict[tuple[str, int, str, str], float] = {}
        for r in found:
            platform, metric, month = r["account__platform"], metrics[r["metric_id"]][0], month_for[r["period_start"]]
            if not r["account__is_channel_total"]:
                before = cells.get((platform, r[key], metric, month, r["dimension"]))
                cell = Cell(r["v"], r["n"])
                if before is not None:  # one account's figures for several groups, by account
                    cell = Cell(before.value + cell.value, before.accounts + cell.accounts)
                cells[(platform, r[key], metric, month, r["dimension"])] = cell
            elif r["dimension"]:
                continue
            elif r["effective_group_id"] is None:
                totals[(platform, metric, month)] = totals.get((platform, metric, month), 0.0) + r["v"]
            else:
                group_key = (platform, r["effective_group_id"], metric, month)
                group_totals[group_key] = group_totals.get(group_key, 0.0) + r["v"]
        return cls(cells, dict(metrics.values()), totals, rows, group_totals)

    def how(self, metric: str) -> str:
        return self.aggregation.get(metric, Metric.Aggregation.FLOW)

    def monthly(
        self, metric: str, *, by: By = "force", platforms: Iterable[str] | None = None, dimension: str = ""
    ) -> dict[Key, dict[str, Cell]]:
        """{key: {month: Cell}} for one metric: accounts added up within each key of `by` (not "account")."""
        wanted = set(platforms) if platforms is not None else None
        out: dict[Key, dict[str, Cell]] = defaultdict(dict)
        for (platform, group, _, month, dim), cell in self._by_metric.get(metric, []):
            if dim != dimension or (wanted is not None and platform not in wanted):
                continue
            key: Key = group if by == "group" else platform if by == "platform" else None
            before = out[key].get(month)
            out[key][month] = Cell(before.value + cell.value, before.accounts + cell.accounts) if before else cell
        return out

    def reported(self, metric: str, platform: str) -> dict[str, float]:
        """{month: the channel's own reported total} for one channel and metric."""
        return {m: v for (p, s, m), v in self.channel_totals.items() if p == platform and s == metric}

    def group_reported(self, metric: str, platforms: Iterable[str]) -> dict[Key, dict[str, float]]:
        """{group pk: {month: the group's reported total}} on the channels given (summed over them)."""
        wanted = set(platforms)
        out: dict[Key, dict[str, float]] = defaultdict(dict)
        for (p, group, s, m), v in self.group_totals.items():
            if p in wanted and s == metric:
                out[group][m] = out[group].get(m, 0.0) + v
        return out

    def channel(self, metric: str, platform: str, month: str) -> tuple[float | None, str]:
        """A channel's figure for a month and where it came from: ("accounts"), ("reported") or (None, "").

        The accounts' sum where they have figures; else the channel's reported total. Unique metrics over
        several accounts give None (their sum is not a count of people).
        """
        if metric not in self._channels:
            self._channels[metric] = self.monthly(metric, by="platform")
        cell = self._channels[metric].get(platform, {}).get(month)
        if cell is not None and not (self.how(metric) in NOT_ADDITIVE and cell.accounts > 1):
            return cell.value, "accounts"
        total = self.channel_totals.get((platform, metric, month))
        return (total, "reported") if total is not None else (None, "")

    def series(self, metric: str, months: list[str], *, platforms: Iterable[str] | None = None) -> list[float | None]:
        """One value per month, accounts added up (None for a unique metric over several accounts)."""
        cells = self.monthly(metric, platforms=platforms).get(None, {})
        unique = self.how(metric) in NOT_ADDITIVE
        return [None if m not in cells or (unique and cells[m].accounts > 1) else cells[m].value for m in months]

    def kpis(
        self, metric: str, *, months: list[str], before: list[str], by: By, platforms: Iterable[str] | None = None
    ) -> KpiTable:
        cells = self.monthly(metric, by=by, platforms=platforms)
        return kpi_table_from(
            metric=metric,
            aggregation=self.how(metric),
            now=cells,
            then=cells,
            months=months,
            before=before,
            by=self.label_by(by),
        )

    def label_by(self, by: By) -> By:
        """What the keys of `monthly(by=by)` are: accounts, when the slice was loaded by account."""
        return "account" if by == "group" and self.rows == "account" else by

    def value(self, metric: str, months: list[str], *, platforms: Iterable[str] | None = None) -> PeriodValue:
        return period_value(self.how(metric), self.monthly(metric, platforms=platforms).get(None, {}), months)

    def shares(
        self, metric: str, prefix: str, months: list[str], *, platforms: Iterable[str] | None = None
    ) -> list[tuple[str, float | None, float | None]]:
        """As `dimension_shares`, from the slice."""
        dims = {d for (_, _, _, _, d), _ in self._by_metric.get(metric, []) if d.startswith(f"{prefix}:")}
        values = {
            d.split(":", 1)[1]: period_value(
                self.how(metric), self.monthly(metric, platforms=platforms, dimension=d).get(None, {}), months
            ).value
            for d in dims
        }
        return _shares(values)

    def engagement(self, *, months: list[str], by: By, platforms: Iterable[str] | None = None) -> list[Engagement]:
        reach = self.monthly("reach", by=by, platforms=platforms)
        engaged = self.monthly("engagements", by=by, platforms=platforms)
        return _engagement_rows(
            self.label_by(by),
            set(reach) | set(engaged),
            reach,
            engaged,
            self.how("reach"),
            self.how("engagements"),
            months,
        )


# --- rates, month on month, shares ---------------------------------------------------------------------------


@dataclass
class Engagement:
    key: Key
    label: str
    reach: float | None
    engagements: float | None
    rate: float | None  # engagements / reach, percent with one decimal place
    note: str = ""


def engagement_rates(
    *, first: str, last: str, by: By, division: Division | None = None, platforms: Iterable[str] | None = None
) -> list[Engagement]:
    """Reach, engagements and their rate per key; the rate only where reach is additive for the scope."""
    aggregation = aggregations(["reach", "engagements"])
    g = grid(metrics=["reach", "engagements"], first=first, last=last, by=by, division=division, platforms=platforms)
    keys = {k for k, _, _ in g}
    reach = {k: cells_of(g, k, "reach") for k in keys}
    engaged = {k: cells_of(g, k, "engagements") for k in keys}
    how_reach = aggregation.get("reach", Metric.Aggregation.UNIQUE)
    how_engaged = aggregation.get("engagements", Metric.Aggregation.FLOW)
    return _engagement_rows(by, keys, reach, engaged, how_reach, how_engaged, months_between(first, last))


def _engagement_rows(
    by: By,
    keys: set[Key],
    reach_cells: dict[Key, dict[str, Cell]],
    engaged_cells: dict[Key, dict[str, Cell]],
    how_reach: str,
    how_engaged: str,
    months: list[str],
) -> list[Engagement]:
    labels = _labels(by, keys)
    ordered = _sort_groups(keys) if by == "group" else sorted(keys, key=lambda k: (k is None, labels.get(k, str(k))))
    out = []
    for k in ordered:
        reach = period_value(how_reach, reach_cells.get(k, {}), months)
        engaged = period_value(how_engaged, engaged_cells.get(k, {}), months)
        rate = rate_pct(engaged.value, reach.value)
        note = f"Reach {reach.note}; no rate is given." if reach.value is None and reach.note else ""
        out.append(Engagement(k, labels.get(k, UNGROUPED), reach.value, engaged.value, rate, note))
    return out


def monthly_series(
    *,
    metric: str,
    first: str,
    last: str,
    division: Division | None = None,
    platforms: Iterable[str] | None = None,
    group: ReportingGroup | None = None,
) -> list[tuple[str, float | None]]:
    """(month, value) for every month; accounts added up (None for unique metrics over several accounts)."""
    aggregation = aggregations([metric]).get(metric, Metric.Aggregation.FLOW)
    q = observations_for(division=division, platforms=platforms)
    if group is not None:
        q &= Q(effective_group_id=group.pk)
    rows = (
        observations_with_group()
        .filter(
            q,
            metric__slug=metric,
            granularity=Observation.Granularity.MONTH,
            period_start__gte=month_start(first),
            period_start__lte=month_start(last),
            dimension="",
        )
        .values("period_start")
        .annotate(v=Sum("value"), n=Count("id"))
        .order_by()
    )
    by_month = {month_of(r["period_start"]): (r["v"], r["n"]) for r in rows}
    out: list[tuple[str, float | None]] = []
    for m in months_between(first, last):
        v, n = by_month.get(m, (None, 0))
        out.append((m, None if aggregation == Metric.Aggregation.UNIQUE and n > 1 else v))
    return out


def month_on_month(series: list[tuple[str, float | None]]) -> list[tuple[str, float | None, float | None]]:
    """(month, value, growth on the month before in percent)."""
    out, previous = [], None
    for month, value in series:
        out.append((month, value, growth_pct(value, previous)))
        previous = value
    return out


def dimension_shares(
    *, metric: str, prefix: str, first: str, last: str, division: Division | None = None
) -> list[tuple[str, float | None, float | None]]:
    """(dimension value, period value, share in percent) for dimensions "prefix:..." of a metric, largest first.

    Shares are of the sum of the dimension values, so they add up to 100 (give or take rounding). For a unique
    metric over several months or accounts the values are refused (None).
    """
    aggregation = aggregations([metric]).get(metric, Metric.Aggregation.FLOW)
    months = months_between(first, last)
    rows = (
        observations_with_group()
        .filter(
            observations_for(division=division),
            metric__slug=metric,
            granularity=Observation.Granularity.MONTH,
            period_start__gte=month_start(first),
            period_start__lte=month_start(last),
            dimension__startswith=f"{prefix}:",
        )
        .values("dimension", "period_start")
        .annotate(v=Sum("value"), n=Count("id"))
        .order_by()
    )
    cells: dict[str, dict[str, Cell]] = defaultdict(dict)
    for r in rows:
        cells[r["dimension"]][month_of(r["period_start"])] = Cell(r["v"], r["n"])
    return _shares({d.split(":", 1)[1]: period_value(aggregation, c, months).value for d, c in cells.items()})


def _shares(values: dict[str, float | None]) -> list[tuple[str, float | None, float | None]]:
    total = sum(v for v in values.values() if v is not None)
    out = [(name, v, rate_pct(v, total)) for name, v in values.items()]
    return sorted(out, key=lambda t: (t[1] is None, -(t[1] or 0), t[0]))


# --- figures from other apps (metric sources) ---------------------------------------------------------------


def source_by_division(
    *, metric: str, first: str, last: str, division_code: str | None = None, source: str | None = None
) -> dict[str | None, dict[str, float]]:
    """Metric-source figures (dimension "") summed per division code and month: {code: {month: value}}."""
    out: dict[str | None, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    only = [source] if source else None
    for f in figures(first_month=first, last_month=last, only=only):
        if f.metric != metric or f.dimension or (division_code is not None and f.division != division_code):
            continue
        out[f.division][f.month] += f.value
    return out


def source_period_value(aggregation: str, by_month: dict[str, float], months: list[str]) -> float | None:
    cells = {m: Cell(v, 1) for m, v in by_month.items()}
    return period_value(aggregation, cells, months).value


def total_digital_community(
    *, month: str, division: Division | None = None, division_code: str | None = None, subscribers: float | None = None
) -> dict[str, float]:
    """Followers across social accounts at the end of `month` plus In the Know subscribers then.

    Subscribers are `subscribers` when the caller has them, else from the "itk" metric source when it has
    figures, else from observations of registered users on In the Know accounts.
    """
    followers = (
        observations_with_group()
        .filter(
            observations_for(division=division, platforms=SOCIAL_PLATFORMS),
            metric__slug="followers",
            granularity=Observation.Granularity.MONTH,
            period_start=month_start(month),
            dimension="",
        )
        .aggregate(v=Sum("value"))["v"]
        or 0.0
    )
    if subscribers is None:
        itk = source_by_division(
            metric="itk_subscribers", first=month, last=month, division_code=division_code, source="itk"
        )
        subscribers = sum(v.get(month, 0.0) for v in itk.values()) if itk else None
    if subscribers is None:
        subscribers = (
            observations_with_group()
            .filter(
                observations_for(division=division, platforms=[Account.Platform.ITK]),
                metric__slug="registered_users",
                granularity=Observation.Granularity.MONTH,
                period_start=month_start(month),
                dimension="",
            )
            .aggregate(v=Sum("value"))["v"]
            or 0.0
        )
    return {"followers": followers, "subscribers": subscribers, "total": followers + subscribers}
