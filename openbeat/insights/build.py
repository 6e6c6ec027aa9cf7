"""Build the board report (`structure.BoardReport`) for a period: every figure the renderers show.

Observations are reduced in SQL (see kpis.py); figures OpenBeat knows itself come from the metric sources,
asked once for every month the report needs. Nothing here formats numbers: renderers do, from `formats`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.utils import timezone

from openbeat.areas.models import Division
from openbeat.core.metric_sources import (
    Figure,
    figures,
    metric_sources,
    report_sections,
    small_number_minimum,
    weighted_score,
)
from openbeat.core.models import Force
from openbeat.core.months import is_month, month_shift, months_between
from openbeat.insights import kpis
from openbeat.insights.kpis import growth_pct, rate_pct
from openbeat.insights.models import Account, Metric, ReportingGroup
from openbeat.insights.selectors import groups_in_order
from openbeat.insights.structure import BoardReport, Chart, Format, Section, Table, Value
from openbeat.insights.warnings import MISMATCH_SHARE, warnings_for

COMPARE_COLUMNS: list[Format] = ["int", "int", "int", "pct1"]
TEXT: list[Format] = ["text"]
GROWTH_COLUMNS: list[Format] = ["int", "pct1"]
INT: list[Format] = ["int"]
# What stocks and flows are compared with (the back office's "Comparison" and `board_report --compare`):
# "within": stocks month by month with growth from the period's first month with figures to its last, flows
# against the period before; "previous" and "year": everything against the period before / the same months a
# year earlier; "none": no comparison.
COMPARISONS: tuple[str, ...] = ("within", "previous", "year", "none")
GROUPINGS: tuple[str, ...] = ("group", "account")  # table rows by reporting group (division) or by account
REPORTED = "Reported total"
SUM_ACROSS_ACCOUNTS = "a sum across accounts: a person reached by two pages counts twice"
Series = dict[str, float]  # month -> figure
_ALL = list(Account.Platform.values)
EVENTS_SURVEYS = [
    "events_held",
    "event_attendance",
    "pact_meetings",
    "pact_attendance",
    "surveys_run",
    "survey_responses",
]
CITIZENS_IN_POLICING = ["special_constables", "cadets", "volunteers", "nhw_schemes"]


@dataclass
class Scope:
    first: str
    last: str
    compare_from: str
    compare_to: str
    division: Division | None
    comparison: str = "within"
    figures: list[Figure] = field(default_factory=list)
    data: kpis.Slice = field(default_factory=lambda: kpis.Slice({}, {}))

    @property
    def months(self) -> list[str]:
        return months_between(self.first, self.last)

    @property
    def before(self) -> list[str]:
        return months_between(self.compare_from, self.compare_to) if self.compare_from else []

    @property
    def within(self) -> bool:
        """Stocks shown month by month within the period (rather than at its end against another period's).

        A one-month period (the monthly report) has no growth within it: "within" compares its stocks with the
        month before, as "previous" does.
        """
        return self.comparison == "none" or (self.comparison == "within" and self.first != self.last)

    @property
    def compares(self) -> bool:
        return self.comparison != "none"

    @cached_property
    def own_subscribers(self) -> Series:
        """OpenBeat's own In the Know subscribers per month (the "itk" metric source), within the division."""
        out: Series = defaultdict(float)
        for values in self.source("itk_subscribers").values():
            for m, v in values.items():
                out[m] += v
        return dict(out)

    @property
    def code(self) -> str | None:
        return self.division.code if self.division else None

    def period(self) -> str:
        return self.first if self.first == self.last else f"{self.first} to {self.last}"

    def compared(self) -> str:
        if not self.compare_from:
            return ""
        return (
            self.compare_from if self.compare_from == self.compare_to else f"{self.compare_from} to {self.compare_to}"
        )

    def source(self, metric: str, *, dimension_prefix: str = "") -> dict[tuple[str | None, str], dict[str, float]]:
        """{(division code, dimension): {month: value}} of the metric-source figures, within the scope's division."""
        out: dict[tuple[str | None, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for f in self.figures:
            if f.metric != metric or (self.code is not None and f.division != self.code):
                continue
            if dimension_prefix and not f.dimension.startswith(dimension_prefix):
                continue
            if not dimension_prefix and f.dimension:
                continue
            out[(f.division, f.dimension)][f.month] += f.value
        return out


def _check_month(name: str, value: str) -> str:
    if not is_month(value):
        raise ValueError(f"{name} must be a month like 2026-03, not {value!r}")
    return value


def _division(division: Division | str | None) -> Division | None:
    if isinstance(division, Division):
        return division
    return Division.objects.get(code=division) if division else None


def _compare(label: str, current: float | None, previous: float | None) -> list[Value]:
    change = current - previous if current is not None and previous is not None else None
    return [label, current, previous, change, growth_pct(current, previous)]


def _compare_row(scope: Scope, label: str, current: float | None, previous: float | None) -> list[Value]:
    """[label, now, then, change, growth], or [label, now] when the report compares with nothing."""
    return _compare(label, current, previous) if scope.compares else [label, current]


def _compare_columns(scope: Scope, first: str, period: str, compared: str) -> tuple[list[str], list[Format]]:
    if not scope.compares:
        return [first, period], ["text", "int"]
    return _columns(first, period, compared), [*TEXT, *COMPARE_COLUMNS]


def _sum(values: Iterable[Value]) -> float | None:
    """The sum of the figures given (labels and missing figures left out); None when there are none."""
    present = [v for v in values if isinstance(v, int | float)]
    return sum(present) if present else None


def _figures(values: Iterable[Value]) -> list[float | None]:
    return [v if isinstance(v, int | float) else None for v in values]


def _total_row(scope: Scope, rows: list[list[Value]], label: str = "Total") -> list[Value]:
    return _compare_row(scope, label, _sum(r[1] for r in rows), _sum(r[2] for r in rows) if scope.compares else None)


def _columns(first: str, period: str, compared: str) -> list[str]:
    return [first, period, compared, "Change", "Growth %"]


def _metric_names(slugs: Iterable[str]) -> dict[str, tuple[str, str]]:
    return {m.slug: (m.name, m.aggregation) for m in Metric.objects.filter(slug__in=list(slugs))}


def _channels_value(scope: Scope, metric: str, platforms: Iterable[str], months: list[str]) -> float | None:
    """Channels' figure for a period: each channel's accounts, or its reported total where they have none.

    Stocks: the figure for the last month; flows: the sum over the months; unique counts: one channel's one
    month only (None otherwise). None when no channel has a figure: a missing figure is never a zero.
    """
    platforms = list(platforms)
    how = scope.data.how(metric)
    if not months:
        return None
    if how == Metric.Aggregation.STOCK:
        months = months[-1:]
    elif how in kpis.NOT_ADDITIVE and (len(months) > 1 or len(platforms) > 1):
        return None
    return _sum(scope.data.channel(metric, p, m)[0] for p in platforms for m in months)


def _compare_value(scope: Scope, label: str, metric: str, platforms: Iterable[str]) -> list[Value]:
    platforms = list(platforms)
    now = _channels_value(scope, metric, platforms, scope.months)
    return _compare_row(scope, label, now, _channels_value(scope, metric, platforms, scope.before))


def _source_value(scope: Scope, metric: str, aggregation: str, months: list[str]) -> float | None:
    by_month: dict[str, float] = defaultdict(float)
    for values in scope.source(metric).values():
        for m, v in values.items():
            by_month[m] += v
    return kpis.source_period_value(aggregation, by_month, months)


def _change(first: float | None, last: float | None) -> list[Value]:
    """[change, growth %] from `first` to `last`; None for both when either figure is missing."""
    change = last - first if first is not None and last is not None else None
    return [change, growth_pct(last, first)]


def _stock_table(
    scope: Scope,
    *,
    key: str,
    title: str,
    heading: str,
    rows: list[tuple[str, Series]],
    reported: Series | None = None,
    y_label: str = "",
    notes: Iterable[str] = (),
    total: bool = True,
) -> Table | None:
    """A stock (followers, registered users) per row, as the comparison asks; None when there are no figures.

    Within the period: a column for each month of it that has a figure in any row, and change and growth from
    the first of those months to the last. Against another period: the figure at the end of each. The total
    is the rows' sum where they have figures for the month, else the channel's reported total (a note says
    so); the reported total is shown beside it wherever there is one.
    """
    reported = reported or {}
    if scope.within:
        shown = [m for m in scope.months if m in reported or any(m in series for _, series in rows)]
        if not shown and not rows:
            return None
        headings = list(shown)
        start, end = (shown[0], shown[-1]) if shown else ("", "")
        growth = scope.compares and len(shown) > 1
    else:
        if not rows and not any(m in reported for m in (scope.last, scope.compare_to)):
            return None
        shown, headings = [scope.last, scope.compare_to], [f"At end of {scope.last}", f"At end of {scope.compare_to}"]
        start, end, growth = scope.compare_to, scope.last, True

    def row(label: str, series: Series) -> list[Value]:
        values: list[Value] = [series.get(m) for m in shown]
        return [label, *values, *(_change(series.get(start), series.get(end)) if growth else [])]

    notes = list(notes)
    totals: Series = {}
    for m in shown:
        present = [series[m] for _, series in rows if m in series]
        if present:
            totals[m] = sum(present)
            left_out = [label for label, series in rows if m not in series and series]
            if left_out:
                notes.append(f"The total for {m} leaves out {', '.join(left_out)}: no figure for that month.")
        elif m in reported:
            totals[m] = reported[m]
            notes.append(f"{m}: no figures for the accounts; the total is the channel's reported total.")
    total_row = row("Total", totals)
    # The total's change compares like with like: the same rows at both ends (or the reported totals).
    unlike = [label for label, series in rows if series and (start in series) != (end in series)]
    if growth and unlike and any(start in s for _, s in rows) and any(end in s for _, s in rows):
        total_row[-2:] = [None, None]
        notes.append(f"The total's change is not given: {', '.join(unlike)} has a figure for {start} or {end} only.")
    chart_months = shown if len(shown) <= 4 else [shown[0], shown[-1]]
    return Table(
        key=key,
        title=title,
        columns=[heading, *headings, *(["Change", "Growth %"] if growth else [])],
        formats=[*TEXT, *(INT * len(shown)), *(GROWTH_COLUMNS if growth else [])],
        rows=[row(label, series) for label, series in rows],
        totals=total_row if total else None,
        reported=row(REPORTED, reported) if any(m in reported for m in shown) else None,
        notes=notes,
        chart=Chart(
            kind="bar",
            title=f"{title}, {', '.join(chart_months)}" if chart_months else title,
            x=[label for label, _ in rows],
            series=[(m, [series.get(m) for _, series in rows]) for m in chart_months],
            y_label=y_label,
        ),
    )


def _cells_values(cells: dict[kpis.Key, dict[str, kpis.Cell]]) -> dict[kpis.Key, Series]:
    return {k: {m: c.value for m, c in by_month.items()} for k, by_month in cells.items()}


def _grouped(scope: Scope, metric: str, platforms: Iterable[str]) -> tuple[list[tuple[str, Series]], list[str]]:
    """(row label, {month: figure}) per group (or account) in the force's order, for one metric, and notes.

    A group's own reported total on the channels stands in for its accounts in a month they have no figure.
    """
    platforms = list(platforms)
    values = _cells_values(scope.data.monthly(metric, by="group", platforms=platforms))
    filled: list[tuple[kpis.Key, str]] = []
    if scope.data.rows == "group":
        for group, by_month in scope.data.group_reported(metric, platforms).items():
            series = values.setdefault(group, {})
            for m, v in sorted(by_month.items()):
                if m not in series:
                    series[m] = v
                    filled.append((group, m))
    order = kpis.ordered(scope.data.label_by("group"), values)
    labels = dict(order)
    shown = {*scope.months, *scope.before}
    notes = [
        f"{labels[g]}, {m}: the group's reported total (its accounts have no figure)." for g, m in filled if m in shown
    ]
    return [(label, values[k]) for k, label in order], notes


# --- sections -----------------------------------------------------------------------------------------------


def _subscribers(scope: Scope, month: str) -> float | None:
    """In the Know subscribers at the end of `month`: OpenBeat's own count where it has one (above zero), else
    registered users imported for In the Know accounts (or their reported total), else None."""
    own = scope.own_subscribers.get(month)
    if own:
        return own
    imported = scope.data.channel("registered_users", Account.Platform.ITK, month)[0]
    return imported if imported is not None else own


def _community_parts(scope: Scope, month: str) -> dict[str, float | None]:
    """Each social channel's followers and In the Know subscribers ("itk") at the end of `month`."""
    parts = {str(p): scope.data.channel("followers", p, month)[0] for p in kpis.SOCIAL_PLATFORMS}
    return {**parts, "itk": _subscribers(scope, month)}


def _community(scope: Scope, month: str, like: str | None = None) -> dict[str, float | None]:
    """Followers on social channels plus In the Know subscribers at the end of `month`; None where unknown.

    With `like` (another month): None for any figure whose channels with figures differ from that month's, so
    a comparison never sets a sum against one missing a channel (a missing figure is never a zero).
    """
    parts = _community_parts(scope, month)
    followers = _sum(v for k, v in parts.items() if k != "itk")
    subscribers, total = parts["itk"], _sum(parts.values())
    if like is not None:
        other = _community_parts(scope, like)
        differs = {k for k in parts if (parts[k] is None) != (other[k] is None)}
        if differs - {"itk"}:
            followers = total = None
        if "itk" in differs:
            subscribers = total = None
    return {"followers": followers, "subscribers": subscribers, "total": total}


def _summary(scope: Scope) -> Section:
    now = _community(scope, scope.last)
    if scope.within:
        # The first month of the period with any follower or subscriber figure.
        base = next((m for m in scope.months if _community(scope, m)["total"] is not None), scope.last)
        then = _community(scope, base, like=scope.last) if base != scope.last else dict.fromkeys(now)
        stock_basis = base if base != scope.last else ""
    else:
        base = scope.compare_to
        then = _community(scope, base, like=scope.last) if scope.compares else dict.fromkeys(now)
        stock_basis = f"end of {base}" if scope.compares else ""
    flow_basis = scope.compared() if scope.compares else ""

    def stock(label: str, part: str) -> list[Value]:
        return [*_compare_row(scope, label, now[part], then[part]), *([stock_basis] if scope.compares else [])]

    def flow(row: list[Value]) -> list[Value]:
        return [*row, *([flow_basis] if scope.compares else [])]

    rows: list[list[Value]] = [
        stock("Total digital community (followers and subscribers)", "total"),
        stock("Social media followers", "followers"),
        stock("In the Know subscribers", "subscribers"),
        flow(_compare_value(scope, "Social media engagements", "engagements", kpis.SOCIAL_PLATFORMS)),
        flow(_compare_value(scope, "Website sessions", "sessions", [Account.Platform.WEBSITE])),
        flow(_compare_value(scope, "Website page views", "pageviews", [Account.Platform.WEBSITE])),
    ]
    for label, metric in [("Alerts sent", "alerts_sent"), ("Online reports", "reports_submitted")]:
        rows.append(
            flow(
                _compare_row(
                    scope,
                    label,
                    _source_value(scope, metric, "flow", scope.months),
                    _source_value(scope, metric, "flow", scope.before),
                )
            )
        )
    where = scope.division.name if scope.division else "The force"
    # A missing figure is left out of the sentence, never written as 0.
    if now["total"] is None:
        sentence = f"No follower or subscriber figures were recorded for {scope.last}."
    else:
        sentence = f"{where}'s total digital community was {now['total']:,.0f} at the end of {scope.last}"
        growth = growth_pct(now["total"], then["total"]) if scope.compares else None
        sentence += f" ({growth:+.1f}% on {stock_basis})." if growth is not None else "."
    columns, formats = _compare_columns(scope, "Measure", scope.period(), "Earlier figure")
    table = Table(
        key="summary",
        title="Summary",
        columns=[*columns, *(["Compared with"] if scope.compares else [])],
        formats=[*formats, *(TEXT if scope.compares else [])],
        rows=rows,
        notes=[
            "Followers and subscribers are counted at the end of a month; other figures are totals over the period.",
            *(
                [f"Followers and subscribers are compared with the period's first month with figures ({base})."]
                if scope.within and stock_basis
                else []
            ),
            "Growth is the change as a percentage of the earlier figure, to one decimal place.",
            "The measures differ, so the table has no total row.",
        ],
    )
    return Section("summary", "Summary", paragraphs=[sentence], tables=[table])


def _twelve_months(scope: Scope) -> Section:
    base = month_shift(scope.last, -12)
    months = months_between(base, scope.last)  # the base month and the 12 months after it
    social, website = kpis.SOCIAL_PLATFORMS, [Account.Platform.WEBSITE]
    community = {m: _community(scope, m) for m in months}
    rows: list[list[Value]] = [
        [
            m,
            community[m]["followers"],
            community[m]["subscribers"],
            _channels_value(scope, "engagements", social, [m]),
            _channels_value(scope, "sessions", website, [m]),
        ]
        for m in months
    ]
    year = rows[1:]
    chart = Chart(
        kind="line",
        title="Followers and In the Know subscribers over 12 months",
        x=months,
        series=[
            ("Social media followers", [r[1] for r in _numbers(rows)]),
            ("In the Know subscribers", [r[2] for r in _numbers(rows)]),
        ],
        y_label="People",
    )
    table = Table(
        key="twelve_months",
        title=f"The 12 months to {scope.last}",
        columns=[
            "Month",
            "Social media followers",
            "In the Know subscribers",
            "Social engagements",
            "Website sessions",
        ],
        formats=["text", "int", "int", "int", "int"],
        rows=rows,
        totals=[f"Total, {months[1]} to {scope.last}", None, None, _sum(r[3] for r in year), _sum(r[4] for r in year)],
        notes=[
            f"{base} is the base month: followers and subscribers at its end are where the 12 months' growth starts.",
            "Engagements and sessions are totals over the 12 months after the base month; followers and "
            "subscribers are counts at a moment, so they have no total.",
            "A channel's reported total stands in for its accounts in a month they have no figures.",
            "In the Know: OpenBeat's own subscriber counts, or registered users as imported where it has none.",
        ],
        chart=chart,
    )
    return Section("twelve_months", "The 12-month picture", tables=[table, _twelve_month_growth(scope, base)])


def _numbers(rows: list[list[Value]]) -> list[list[float | None]]:
    return [_figures(r) for r in rows]


def _twelve_month_growth(scope: Scope, base: str) -> Table:
    """Growth over the 12 months per channel: followers (from reported totals where accounts are absent) and
    In the Know subscribers (or imported registered users)."""
    rows: list[list[Value]] = []
    notes: list[str] = []
    for platform in kpis.SOCIAL_PLATFORMS:
        then, then_from = scope.data.channel("followers", platform, base)
        now, now_from = scope.data.channel("followers", platform, scope.last)
        if then is None and now is None:
            continue
        label = str(Account.Platform(platform).label)
        rows.append(_compare(f"{label} followers", now, then))
        notes.extend(
            f"{label}, {m}: the channel's reported total."
            for m, f in [(base, then_from), (scope.last, now_from)]
            if f == "reported"
        )
    then_itk, now_itk = _subscribers(scope, base), _subscribers(scope, scope.last)
    if then_itk is not None or now_itk is not None:
        rows.append(_compare("In the Know subscribers", now_itk, then_itk))
    # Like with like: the total's base is missing if a channel counted now was not counted then.
    complete = all((r[1] is None) == (r[2] is None) for r in rows)
    if not complete:
        notes.append("The total's change is not given: not every channel has a figure for both months.")
    return Table(
        key="twelve_month_growth",
        title=f"Growth over the 12 months to {scope.last}",
        columns=["Channel", f"At end of {scope.last}", f"At end of {base}", "Change", "Growth %"],
        formats=[*TEXT, *COMPARE_COLUMNS],
        rows=rows,
        totals=_compare(
            "Total digital community", _sum(r[1] for r in rows), _sum(r[2] for r in rows) if complete else None
        ),
        notes=notes,
    )


def _followers(scope: Scope) -> Section:
    tables = []
    heading = "Account" if scope.data.rows == "account" else "Group"
    for platform in kpis.SOCIAL_PLATFORMS:
        label = Account.Platform(platform).label
        rows, notes = _grouped(scope, "followers", [platform])
        table = _stock_table(
            scope,
            key=f"followers_{platform}",
            title=f"{label} followers by {heading.lower()}",
            heading=heading,
            rows=rows,
            reported=scope.data.reported("followers", platform),
            y_label="Followers",
            notes=notes,
        )
        if table is not None:
            tables.append(table)
    paragraphs = [] if tables else ["No follower figures were recorded for the period."]
    return Section("followers", "Followers by group", paragraphs=paragraphs, tables=tables)


def _engagement(scope: Scope) -> Section:
    """Reach, engagements and their rate per group for each month with figures; the last such month first."""
    social = kpis.SOCIAL_PLATFORMS
    reach = _cells_values(scope.data.monthly("reach", by="group", platforms=social))
    engaged = _cells_values(scope.data.monthly("engagements", by="group", platforms=social))
    order = kpis.ordered(scope.data.label_by("group"), set(reach) | set(engaged))
    months = [m for m in scope.months if any(m in reach.get(k, {}) or m in engaged.get(k, {}) for k, _ in order)]
    heading = "Account" if scope.data.rows == "account" else "Group"

    def row(k: kpis.Key, label: str, m: str) -> list[Value] | None:
        r, e = reach.get(k, {}).get(m), engaged.get(k, {}).get(m)
        return None if r is None and e is None else [label, r, e, rate_pct(e, r)]

    def totals(label: str, rows: list[list[Value]], at: int) -> list[Value]:
        r, e = _sum(x[at] for x in rows), _sum(x[at + 1] for x in rows)
        return [label, r, e, rate_pct(e, r)]

    headline = months[-1] if months else scope.last
    latest = [x for k, label in order if (x := row(k, label, headline)) is not None]
    sum_note = f"Reach in the total is {SUM_ACROSS_ACCOUNTS}; the total rate is the summed engagements over it."
    rate_note = "Engagement rate is engagements divided by reach, to one decimal place."
    table = Table(
        key="engagement",
        title=f"Engagement by {heading.lower()}, {headline}",
        columns=[heading, "Reach", "Engagements", "Engagement rate %"],
        formats=["text", "int", "int", "pct1"],
        rows=latest,
        totals=totals("Total (sum across accounts)", latest, 1),
        notes=[rate_note, sum_note],
        chart=Chart(
            kind="bar",
            title=f"Engagements by {heading.lower()}, {headline}",
            x=[str(x[0]) for x in latest],
            series=[("Engagements", _figures(x[2] for x in latest))],
            y_label="Engagements",
        ),
    )
    by_month: list[list[Value]] = [[m, *x] for m in months for k, label in order if (x := row(k, label, m)) is not None]
    month_totals = totals("Total (sum across accounts and months)", by_month, 2)
    months_table = Table(
        key="engagement_months",
        title=f"Engagement by {heading.lower()} and month, {scope.period()}",
        columns=["Month", heading, "Reach", "Engagements", "Engagement rate %"],
        formats=["text", "text", "int", "int", "pct1"],
        rows=by_month,
        totals=[month_totals[0], "", *month_totals[1:]],
        notes=[
            rate_note,
            f"Reach in the total is {SUM_ACROSS_ACCOUNTS}, and a person reached in two months counts twice.",
        ],
    )
    return Section("engagement", "Engagement levels", tables=[table, months_table])


def _itk_order(codes: Iterable[str | None]) -> list[str | None]:
    """Division codes in the force's order (their reporting groups'), then by name; no division last."""
    divisions = {code: (pk, name) for code, pk, name in Division.objects.values_list("code", "pk", "name")}
    position: dict[int | None, int] = {
        g.division_id: n for n, g in enumerate(groups_in_order()) if g.division_id is not None
    }
    far = len(position)

    def key(code: str | None) -> tuple[bool, int, str]:
        pk, name = divisions.get(code or "", (None, ""))
        return code is None, position.get(pk, far), name

    return sorted(codes, key=key)


def _itk(scope: Scope) -> Section:
    names = dict(Division.objects.values_list("code", "name"))
    stock, new, lost = scope.source("itk_subscribers"), scope.source("itk_new"), scope.source("itk_lost")
    by_code = {code: dict(by_month) for (code, _), by_month in stock.items()}
    # Divisions where OpenBeat has counted no one in the period (e.g. before the force moved to it) are left out.
    counted = [c for c in _itk_order(by_code) if any(by_code[c].get(m) for m in [*scope.months, *scope.before])]
    rows = [(names.get(code or "", "No home neighbourhood"), by_code[code]) for code in counted]
    notes = [] if "itk" in metric_sources() else ["In the Know figures are not available on this installation."]
    reported: Series = {}
    own = bool(rows)
    if not rows:
        # No subscribers known to OpenBeat itself (e.g. before migrating to it): registered users imported
        # for In the Know accounts, by group (a figure may belong to a division though the account is shared).
        rows, filled = _grouped(scope, "registered_users", [Account.Platform.ITK])
        reported = scope.data.reported("registered_users", Account.Platform.ITK)
        if rows or reported:
            notes = ["Registered users as imported for In the Know accounts; new and lost are not known.", *filled]
    table = _stock_table(
        scope,
        key="itk_divisions",
        title="In the Know registered users by division",
        heading="Division",
        rows=rows,
        reported=reported,
        y_label="Subscribers",
        notes=["A subscriber counts from confirming their email or phone until they unsubscribe.", *notes],
    )
    if table is None:
        table = Table(
            key="itk_divisions",
            title="In the Know registered users by division",
            columns=["Division", scope.last],
            formats=["text", "int"],
            rows=[],
            totals=["Total", None],
            notes=["No In the Know figures for the period.", *notes],
        )
    new_lost: list[list[Value]] = [
        [
            kpis.source_period_value("flow", new.get((code, ""), {}), scope.months) if own else None,
            kpis.source_period_value("flow", lost.get((code, ""), {}), scope.months) if own else None,
        ]
        for code in (counted if own else [None] * len(table.rows))
    ]
    table.columns += ["New", "Lost"]
    table.formats += ["int", "int"]
    table.rows = [[*r, *nl] for r, nl in zip(table.rows, new_lost, strict=True)]
    if table.totals is not None:
        table.totals += [_sum(nl[0] for nl in new_lost), _sum(nl[1] for nl in new_lost)]
    if table.reported is not None:
        table.reported += [None, None]
    return Section("itk", "In the Know", tables=[table])


def _website(scope: Scope) -> Section:
    website = [Account.Platform.WEBSITE]
    series = {
        metric: dict(zip(scope.months, scope.data.series(metric, scope.months, platforms=website), strict=True))
        for metric in ("sessions", "users", "pageviews")
    }
    rows: list[list[Value]] = [
        [m, series["sessions"].get(m), series["users"].get(m), series["pageviews"].get(m)] for m in scope.months
    ]
    users_total = rows[0][2] if len(rows) == 1 else None
    months_table = Table(
        key="website_months",
        title="Website sessions, users and page views by month",
        columns=["Month", "Sessions", "Users", "Page views"],
        formats=["text", "int", "int", "int"],
        rows=rows,
        totals=["Total", _sum(r[1] for r in rows), users_total, _sum(r[3] for r in rows)],
        notes=[f"Users {kpis.NOT_ADDITIVE_MONTHS}: the total row gives none."] if len(rows) > 1 else [],
        chart=Chart(
            kind="line",
            title="Website sessions and page views by month",
            x=scope.months,
            series=[
                ("Sessions", [series["sessions"].get(m) for m in scope.months]),
                ("Page views", [series["pageviews"].get(m) for m in scope.months]),
            ],
        ),
    )
    tables = [months_table]
    for key, prefix, heading in [("website_devices", "device", "Device"), ("website_sources", "source", "Source")]:
        shares = scope.data.shares("sessions", prefix, scope.months, platforms=website)
        share_rows: list[list[Value]] = [[name.capitalize(), value, share] for name, value, share in shares]
        tables.append(
            Table(
                key=key,
                title=f"Website sessions by {heading.lower()}, {scope.period()}",
                columns=[heading, "Sessions", "Share %"],
                formats=["text", "int", "pct1"],
                rows=share_rows,
                totals=["Total", _sum(r[1] for r in share_rows), 100.0 if share_rows else None],
                notes=[] if share_rows else [f"No sessions by {heading.lower()} were recorded for the period."],
                chart=Chart(
                    kind="bar",
                    title=f"Share of website sessions by {heading.lower()}",
                    x=[str(r[0]) for r in share_rows],
                    series=[("Share %", _figures(r[2] for r in share_rows))],
                    y_label="%",
                ),
            )
        )
    return Section("website", "Website", tables=tables)


def _online_reporting(scope: Scope) -> Section:
    months, before = scope.months, set(scope.before)
    notes = []
    totals_by_type: dict[str, tuple[float, float]] = {}
    if "reports" not in metric_sources():
        notes.append("Online reporting figures are not available on this installation.")
    else:
        for f in scope.figures:
            if not f.dimension.startswith("type:") or (scope.code is not None and f.division != scope.code):
                continue
            if f.aggregation != "flow":
                continue
            name = f.dimension.split(":", 1)[1].replace("-", " ").replace("_", " ").capitalize()
            now, then = totals_by_type.get(name, (0.0, 0.0))
            totals_by_type[name] = (
                now + (f.value if f.month in months else 0.0),
                then + (f.value if f.month in before else 0.0),
            )
    rows: list[list[Value]] = [
        _compare_row(scope, name, now, then) for name, (now, then) in sorted(totals_by_type.items())
    ]
    columns, formats = _compare_columns(scope, "Type", scope.period(), scope.compared())
    table = Table(
        key="online_reporting",
        title="Online reports by type",
        columns=columns,
        formats=formats,
        rows=rows,
        totals=_total_row(scope, rows),
        notes=notes or ([] if rows else ["No online reports were received in the period."]),
    )
    return Section("online_reporting", "Online reporting", tables=[table])


OWN_FIGURE_WINS = (
    "Where OpenBeat counts a figure itself (survey responses, surveys run, Citizens in Policing counts, verified "
    "watch schemes) and a figure for the same division and month was also entered by hand, OpenBeat's own figure "
    "is used and the hand-entered one is set aside (named in a note), never added to it."
)


def _division_of_rows(scope: Scope) -> dict[kpis.Key, str | None]:
    """The division code of each key of `scope.data.monthly(by="group")` (a group, or an account by account)."""
    if scope.data.rows == "account":
        return dict(Account.objects.values_list("pk", "group__division__code"))
    return dict(ReportingGroup.objects.values_list("pk", "division__code"))


def _merged(scope: Scope, slug: str, divisions: dict[kpis.Key, str | None]) -> tuple[Series, Series, list[str]]:
    """One measure's monthly figures: (OpenBeat's own, the hand-entered ones kept, the division-months set aside).

    OpenBeat's own figure (a metric source) wins for a division and month; a hand-entered figure (an observation
    of a group or account of that division) for the same division and month is set aside, not added. Figures of
    groups with no division, and of divisions and months OpenBeat has no figure for, are kept.
    """
    own: dict[tuple[str | None, str], float] = defaultdict(float)
    for (code, _), by_month in scope.source(slug).items():
        for m, v in by_month.items():
            own[(code, m)] += v
    kept: Series = defaultdict(float)
    aside: set[str] = set()
    names = dict(Division.objects.values_list("code", "name"))
    for key, cells in scope.data.monthly(slug, by="group").items():
        code = divisions.get(key)
        for m, cell in cells.items():
            if code is not None and (code, m) in own:
                aside.add(f"{names.get(code, code)} {m}")
            else:
                kept[m] += cell.value
    own_by_month: Series = defaultdict(float)
    for (_, m), v in own.items():
        own_by_month[m] += v
    return dict(own_by_month), dict(kept), sorted(aside)


def _metric_table(
    scope: Scope, *, key: str, title: str, slugs: list[str], shown_elsewhere: Iterable[str] = ()
) -> Table:
    """One measure a row: OpenBeat's own figures and those entered by hand (OWN_FIGURE_WINS). The measures differ,
    so there is no total row. A measure in `shown_elsewhere` (another table of the section has it) has a row only
    for hand-entered figures that table leaves out, so no measure is shown twice."""
    names = _metric_names(slugs)
    elsewhere = set(shown_elsewhere)
    divisions = _division_of_rows(scope)
    series: list[tuple[str, Series]] = []
    how_of: dict[str, str] = {}
    notes: list[str] = []
    for slug in slugs:
        name = names.get(slug, (slug, ""))[0]
        own, kept, aside = _merged(scope, slug, divisions)
        label = f"{name} (entered by hand where no counts were kept)" if slug in elsewhere else name
        how_of[label] = names.get(slug, (slug, Metric.Aggregation.FLOW))[1]
        if slug in elsewhere:
            if any(m in kept for m in [*scope.months, *scope.before]):
                series.append((label, kept))
        else:
            series.append((label, {m: own.get(m, 0.0) + kept.get(m, 0.0) for m in {*own, *kept}}))
        shown = {*scope.months, *scope.before}
        aside = [a for a in aside if a.rsplit(" ", 1)[-1] in shown]
        if aside:
            notes.append(
                f"{name}: OpenBeat's own figure is used for {', '.join(aside)}; the hand-entered one is set aside."
            )
    stock = all(names.get(s, ("", ""))[1] == Metric.Aggregation.STOCK for s in slugs)
    no_total = "The measures differ, so the table has no total row."
    if stock and scope.within:
        table = _stock_table(scope, key=key, title=title, heading="Measure", rows=series, total=False)
        if table is not None:
            table.notes = ["Counts at the end of each month shown.", no_total, OWN_FIGURE_WINS, *table.notes, *notes]
            table.chart = None
            return table
    rows = [
        _compare_row(
            scope,
            label,
            kpis.source_period_value(how_of.get(label, "flow"), values, scope.months),
            kpis.source_period_value(how_of.get(label, "flow"), values, scope.before) if scope.before else None,
        )
        for label, values in series
    ]
    columns, formats = _compare_columns(scope, "Measure", scope.period(), scope.compared())
    return Table(
        key=key,
        title=title,
        columns=columns,
        formats=formats,
        rows=rows,
        notes=[
            ("Counts at the end of each period." if stock else "Totals over each period."),
            no_total,
            OWN_FIGURE_WINS,
            *notes,
        ],
    )


TOO_FEW = "Too few responses"


def _index_tables(scope: Scope) -> list[Table]:
    """Each survey index (a "score" metric source): its score per division for the period and the one compared
    with, over every respondent (never a mean of months' means), none from fewer than the minimum."""
    minimum = small_number_minimum()
    by_metric: dict[str, list[Figure]] = defaultdict(list)
    for f in scope.figures:
        if f.aggregation == "score" and not f.dimension and (scope.code is None or f.division == scope.code):
            by_metric[f.metric].append(f)
    names = dict(Division.objects.values_list("code", "name"))
    tables = []
    for metric in sorted(by_metric, key=lambda m: by_metric[m][0].label or m):
        found = by_metric[metric]
        label = found[0].label or metric

        def score(figures: Iterable[Figure], months: list[str]) -> Value:
            value, n = weighted_score(f for f in figures if f.month in months)
            if n == 0:
                return None
            return round(value, 1) if value is not None and n >= minimum else TOO_FEW

        codes = _itk_order({f.division for f in found if f.division is not None})
        rows: list[list[Value]] = []
        for code in codes:
            mine = [f for f in found if f.division == code]
            rows.append(
                _score_row(
                    scope, names.get(code or "", code or ""), score(mine, scope.months), score(mine, scope.before)
                )
            )
        where = scope.division.name if scope.division else "The force"
        total = _score_row(scope, where, score(found, scope.months), score(found, scope.before))
        chart_values: list[float | None] = []
        for m in scope.months:
            v = score(found, [m])
            chart_values.append(float(v) if isinstance(v, int | float) else None)
        columns, formats = _compare_columns(scope, "Division", scope.period(), scope.compared())
        formats = ["num1" if f == "int" else f for f in formats]
        tables.append(
            Table(
                key=f"score_{metric.replace('-', '_')}"[:31],
                title=f"{label}: score by division",
                columns=columns[:4] if scope.compares else columns,
                formats=formats[:4] if scope.compares else formats,
                rows=rows,
                totals=total,
                notes=[
                    "A score from 0 to 100: each respondent's weighted mean of their scored answers, then the mean "
                    "over respondents (a division's or the force's over all its respondents, never a mean of means).",
                    f"{TOO_FEW}: fewer than {minimum} respondents, so no score is shown. Respondents whose postcode "
                    "gave no division count only in the force's score.",
                ],
                chart=Chart(
                    kind="line",
                    title=f"{label} by month",
                    x=scope.months,
                    series=[(label, chart_values)],
                    y_label="Score (0-100)",
                )
                if len(scope.months) > 1
                else None,
            )
        )
    return tables


def _score_row(scope: Scope, label: str, now: Value, then: Value) -> list[Value]:
    """[label, score now, score then, change]: a change only between two scores shown."""
    if not scope.compares:
        return [label, now]
    change = round(now - then, 1) if isinstance(now, int | float) and isinstance(then, int | float) else None
    return [label, now, then, change]


def _section_from(data: dict) -> Section:
    tables = []
    for t in data.get("tables", []):
        chart = t.get("chart")
        tables.append(
            Table(
                key=t["key"],
                title=t["title"],
                columns=list(t["columns"]),
                formats=list(t["formats"]),
                rows=[list(row) for row in t["rows"]],
                totals=list(t["totals"]) if t.get("totals") else None,
                notes=list(t.get("notes", [])),
                chart=(
                    Chart(
                        kind=chart["kind"],
                        title=chart["title"],
                        x=list(chart["x"]),
                        series=[(name, list(values)) for name, values in chart["series"]],
                        y_label=chart.get("y_label", ""),
                    )
                    if chart
                    else None
                ),
            )
        )
    return Section(data["key"], data["title"], paragraphs=list(data.get("paragraphs", [])), tables=tables)


def _registered(scope: Scope) -> list[dict]:
    """Sections other apps offer as plain data (core.metric_sources.register_report_section), e.g. campaigns."""
    return report_sections(first_month=scope.first, last_month=scope.last, division_code=scope.code)


def _citizens_and_registered(scope: Scope) -> list[Section]:
    """One "Citizens in Policing" section: the tables another app offers as part of it (volunteers' headcounts,
    joiners and leavers), then the measures table for what those leave out (watch schemes; hand-entered
    headcounts of divisions and months with no counts kept); then the other registered sections."""
    registered = _registered(scope)
    parts = [data for data in registered if data.get("part_of") == "citizens_in_policing"]
    covered = [slug for data in parts for slug in data.get("covers", [])]
    section = Section("citizens_in_policing", "Citizens in Policing")
    for data in parts:
        part = _section_from(data)
        section.paragraphs += part.paragraphs
        section.tables += part.tables
    section.tables.append(
        _metric_table(
            scope,
            key="citizens_in_policing",
            title="Citizens in Policing" if not parts else "Citizens in Policing: other measures",
            slugs=CITIZENS_IN_POLICING,
            shown_elsewhere=covered,
        )
    )
    others = [_section_from(data) for data in registered if not data.get("part_of")]
    return [section, *others]


def _warnings_section(report: BoardReport) -> Section:
    rows: list[list[Value]] = [
        [w.kind.replace("_", " "), w.severity, w.account, w.metric, w.month, w.message] for w in report.warnings
    ]
    table = Table(
        key="warnings",
        title="Data-quality warnings",
        columns=["Kind", "Severity", "Account", "Metric", "Month", "Warning"],
        formats=TEXT * 6,
        rows=rows,
        notes=[] if rows else ["No data-quality problems were found."],
    )
    return Section("warnings", "Data quality", tables=[table])


def report_build(
    *,
    period_from: str,
    period_to: str,
    division: Division | str | None = None,
    compare_from: str | None = None,
    compare_to: str | None = None,
    comparison: str | None = None,
    grouping: str = "group",
    threshold_pct: float | None = None,
    now: datetime.datetime | None = None,
) -> BoardReport:
    """The board report for period_from..period_to (months, inclusive).

    `comparison` is one of COMPARISONS: by default "within" (stocks month by month within the period, flows
    against the period before), or "previous" when compare_from and compare_to name the period to compare with.
    `grouping` ("group" or "account") is what the tables' rows are; `threshold_pct` is the share of a channel's
    reported total by which its accounts' sum may differ before the warning is "major" rather than "minor".
    """
    first, last = _check_month("period_from", period_from), _check_month("period_to", period_to)
    if first > last:
        raise ValueError("period_from must not be after period_to")
    comparison = comparison or ("previous" if compare_from and compare_to else "within")
    if comparison not in COMPARISONS:
        raise ValueError(f"comparison must be one of {', '.join(COMPARISONS)}, not {comparison!r}")
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}, not {grouping!r}")
    threshold = MISMATCH_SHARE * 100 if threshold_pct is None else threshold_pct
    if threshold < 0:
        raise ValueError("threshold_pct must not be negative")
    if comparison == "none":
        compare_from = compare_to = ""
    elif compare_from is None or compare_to is None:
        compare_from, compare_to = (
            (month_shift(first, -12), month_shift(last, -12))
            if comparison == "year"
            else kpis.comparison_for(first, last)
        )
    if compare_from:
        _check_month("compare_from", compare_from)
        _check_month("compare_to", compare_to or "")
    scope = Scope(first, last, compare_from, compare_to or "", _division(division), comparison)
    # The 12-month picture needs the base month twelve months before the last.
    earliest = min(compare_from or first, month_shift(last, -12))
    latest = max(last, compare_to or last)
    scope.figures = figures(first_month=earliest, last_month=latest)
    scope.data = kpis.Slice.load(first=earliest, last=latest, division=scope.division, rows=grouping)  # type: ignore[arg-type]
    report = BoardReport(
        force_name=Force.current().name or settings.FORCE_NAME,
        period_from=first,
        period_to=last,
        compare_from=compare_from,
        compare_to=compare_to,
        generated_at=(now or timezone.now()).isoformat(),
        division=scope.division.name if scope.division else "",
        comparison=comparison,
        grouping=grouping,
        threshold_pct=threshold,
    )
    report.sections = [
        _summary(scope),
        _twelve_months(scope),
        _followers(scope),
        _engagement(scope),
        _itk(scope),
        _website(scope),
        _online_reporting(scope),
        Section(
            "events_surveys",
            "Events and surveys",
            tables=[
                _metric_table(scope, key="events_surveys", title="Events and surveys", slugs=EVENTS_SURVEYS),
                *_index_tables(scope),
            ],
        ),
        *_citizens_and_registered(scope),
    ]
    report.warnings = warnings_for(
        first_month=first, last_month=last, division=scope.division, data=scope.data, threshold_pct=threshold
    )
    report.sections.append(_warnings_section(report))
    return report
