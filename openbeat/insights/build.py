"""Build the board report (`structure.BoardReport`) for a period: every figure the renderers show.

Observations are reduced in SQL (see kpis.py); figures OpenBeat knows itself come from the metric sources,
asked once for every month the report needs. Nothing here formats numbers: renderers do, from `formats`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from openbeat.areas.models import Division
from openbeat.core.metric_sources import Figure, figures, metric_sources
from openbeat.core.models import Force
from openbeat.core.months import is_month, month_shift, months_between
from openbeat.insights import kpis
from openbeat.insights.kpis import growth_pct, rate_pct
from openbeat.insights.models import Account, Metric
from openbeat.insights.structure import BoardReport, Chart, Format, Section, Table, Value
from openbeat.insights.warnings import warnings_for

COMPARE_COLUMNS: list[Format] = ["int", "int", "int", "pct1"]
TEXT: list[Format] = ["text"]
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
    figures: list[Figure] = field(default_factory=list)
    data: kpis.Slice = field(default_factory=lambda: kpis.Slice({}, {}))

    @property
    def months(self) -> list[str]:
        return months_between(self.first, self.last)

    @property
    def before(self) -> list[str]:
        return months_between(self.compare_from, self.compare_to)

    @property
    def code(self) -> str | None:
        return self.division.code if self.division else None

    def period(self) -> str:
        return self.first if self.first == self.last else f"{self.first} to {self.last}"

    def compared(self) -> str:
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


def _sum(values: Iterable[Value]) -> float | None:
    """The sum of the figures given (labels and missing figures left out); None when there are none."""
    present = [v for v in values if isinstance(v, int | float)]
    return sum(present) if present else None


def _figures(values: Iterable[Value]) -> list[float | None]:
    return [v if isinstance(v, int | float) else None for v in values]


def _total_row(rows: list[list[Value]], label: str = "Total") -> list[Value]:
    current = _sum(r[1] for r in rows)
    previous = _sum(r[2] for r in rows)
    return _compare(label, current, previous)


def _columns(first: str, period: str, compared: str) -> list[str]:
    return [first, period, compared, "Change", "Growth %"]


def _metric_names(slugs: Iterable[str]) -> dict[str, tuple[str, str]]:
    return {m.slug: (m.name, m.aggregation) for m in Metric.objects.filter(slug__in=list(slugs))}


def _compare_value(scope: Scope, label: str, metric: str, platforms: Iterable[str] | None = None) -> list[Value]:
    now = scope.data.value(metric, scope.months, platforms=platforms).value
    return _compare(label, now, scope.data.value(metric, scope.before, platforms=platforms).value)


def _source_value(scope: Scope, metric: str, aggregation: str, months: list[str]) -> float | None:
    by_month: dict[str, float] = defaultdict(float)
    for values in scope.source(metric).values():
        for m, v in values.items():
            by_month[m] += v
    return kpis.source_period_value(aggregation, by_month, months)


# --- sections -----------------------------------------------------------------------------------------------


def _community(scope: Scope, month: str, itk: dict[tuple[str | None, str], dict[str, float]]) -> dict[str, float]:
    """Followers on social accounts plus In the Know subscribers at the end of `month` (as kpis explains)."""
    followers = scope.data.value("followers", [month], platforms=kpis.SOCIAL_PLATFORMS).value or 0.0
    if itk:
        subscribers = sum(v.get(month, 0.0) for v in itk.values())
    else:
        subscribers = scope.data.value("registered_users", [month], platforms=[Account.Platform.ITK]).value or 0.0
    return {"followers": followers, "subscribers": subscribers, "total": followers + subscribers}


def _summary(scope: Scope) -> Section:
    cmp_months = months_between(scope.compare_from, scope.compare_to)
    itk = scope.source("itk_subscribers")
    now, then = (_community(scope, month, itk) for month in (scope.last, scope.compare_to))
    rows: list[list[Value]] = [
        _compare("Total digital community (followers and subscribers)", now["total"], then["total"]),
        _compare("Social media followers", now["followers"], then["followers"]),
        _compare("In the Know subscribers", now["subscribers"], then["subscribers"]),
        _compare_value(scope, "Social media engagements", "engagements", kpis.SOCIAL_PLATFORMS),
        _compare_value(scope, "Website sessions", "sessions", [Account.Platform.WEBSITE]),
        _compare_value(scope, "Website page views", "pageviews", [Account.Platform.WEBSITE]),
    ]
    for label, metric in [("Alerts sent", "alerts_sent"), ("Online reports", "reports_submitted")]:
        rows.append(
            _compare(
                label,
                _source_value(scope, metric, "flow", scope.months),
                _source_value(scope, metric, "flow", cmp_months),
            )
        )
    growth = growth_pct(now["total"], then["total"])
    where = scope.division.name if scope.division else "The force"
    sentence = f"{where}'s total digital community was {now['total']:,.0f} at the end of {scope.last}"
    sentence += f" ({growth:+.1f}% on {scope.compare_to})." if growth is not None else "."
    table = Table(
        key="summary",
        title="Summary",
        columns=_columns("Measure", scope.period(), scope.compared()),
        formats=[*TEXT, *COMPARE_COLUMNS],
        rows=rows,
        notes=[
            "Followers and subscribers are counted at the end of each period; other figures are totals over it.",
            "Growth is the change as a percentage of the earlier figure, to one decimal place.",
        ],
    )
    return Section("summary", "Summary", paragraphs=[sentence], tables=[table])


def _twelve_months(scope: Scope) -> Section:
    first = month_shift(scope.last, -11)
    months = months_between(first, scope.last)
    social, website = kpis.SOCIAL_PLATFORMS, [Account.Platform.WEBSITE]
    followers = dict(zip(months, scope.data.series("followers", months, platforms=social), strict=True))
    engagements = dict(zip(months, scope.data.series("engagements", months, platforms=social), strict=True))
    sessions = dict(zip(months, scope.data.series("sessions", months, platforms=website), strict=True))
    subscribers: dict[str, float] = defaultdict(float)
    for values in scope.source("itk_subscribers").values():
        for m, v in values.items():
            subscribers[m] += v
    rows: list[list[Value]] = [
        [m, followers.get(m), subscribers.get(m) if scope.figures else None, engagements.get(m), sessions.get(m)]
        for m in months
    ]
    chart = Chart(
        kind="line",
        title="Followers and In the Know subscribers over 12 months",
        x=months,
        series=[
            ("Social media followers", [followers.get(m) for m in months]),
            ("In the Know subscribers", [subscribers.get(m) for m in months]),
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
        chart=chart,
    )
    return Section("twelve_months", "The 12-month picture", tables=[table])


def _followers(scope: Scope) -> Section:
    tables = []
    for platform in kpis.SOCIAL_PLATFORMS:
        t = scope.data.kpis("followers", months=scope.months, before=scope.before, by="group", platforms=[platform])
        if not t.rows:
            continue
        label = Account.Platform(platform).label
        rows: list[list[Value]] = [_compare(r.label, r.current, r.previous) for r in t.rows]
        chart = Chart(
            kind="bar",
            title=f"{label} followers by group at the end of {scope.last}",
            x=[r.label for r in t.rows],
            series=[(scope.last, [r.current for r in t.rows]), (scope.compare_to, [r.previous for r in t.rows])],
            y_label="Followers",
        )
        tables.append(
            Table(
                key=f"followers_{platform}",
                title=f"{label} followers by group",
                columns=_columns("Group", f"At end of {scope.last}", f"At end of {scope.compare_to}"),
                formats=[*TEXT, *COMPARE_COLUMNS],
                rows=rows,
                totals=_compare("Total", t.total.current, t.total.previous),
                notes=t.notes,
                chart=chart,
            )
        )
    paragraphs = [] if tables else ["No follower figures were recorded for the period."]
    return Section("followers", "Followers by group", paragraphs=paragraphs, tables=tables)


def _engagement(scope: Scope) -> Section:
    rates = scope.data.engagement(months=scope.months, by="group", platforms=kpis.SOCIAL_PLATFORMS)
    rows: list[list[Value]] = [[r.label, r.reach, r.engagements, r.rate] for r in rates]
    notes = sorted({f"{r.label}: {r.note}" for r in rates if r.note})
    reach_agg = scope.data.how("reach")
    total_engagements = _sum(r.engagements for r in rates)
    total_reach = _sum(r.reach for r in rates) if reach_agg != Metric.Aggregation.UNIQUE else None
    if reach_agg == Metric.Aggregation.UNIQUE:
        notes.insert(0, f"Reach {kpis.NOT_ADDITIVE_ACCOUNTS}: the total row gives no reach and no rate.")
    table = Table(
        key="engagement",
        title=f"Engagement by group, {scope.period()}",
        columns=["Group", "Reach", "Engagements", "Engagement rate %"],
        formats=["text", "int", "int", "pct1"],
        rows=rows,
        totals=["Total", total_reach, total_engagements, rate_pct(total_engagements, total_reach)],
        notes=["Engagement rate is engagements divided by reach, to one decimal place.", *notes],
        chart=Chart(
            kind="bar",
            title=f"Engagements by group, {scope.period()}",
            x=[r.label for r in rates],
            series=[("Engagements", [r.engagements for r in rates])],
            y_label="Engagements",
        ),
    )
    return Section("engagement", "Engagement levels", tables=[table])


def _itk(scope: Scope) -> Section:
    months, before = scope.months, months_between(scope.compare_from, scope.compare_to)
    names = dict(Division.objects.values_list("code", "name"))
    stock, new, lost = scope.source("itk_subscribers"), scope.source("itk_new"), scope.source("itk_lost")
    rows: list[list[Value]] = []
    for (code, _), by_month in sorted(stock.items(), key=lambda kv: (kv[0][0] is None, names.get(kv[0][0] or "", ""))):
        rows.append(
            [
                *_compare(
                    names.get(code or "", "No home neighbourhood"),
                    kpis.source_period_value("stock", by_month, months),
                    kpis.source_period_value("stock", by_month, before),
                ),
                kpis.source_period_value("flow", new.get((code, ""), {}), months) or 0.0,
                kpis.source_period_value("flow", lost.get((code, ""), {}), months) or 0.0,
            ]
        )
    notes = [] if "itk" in metric_sources() else ["In the Know figures are not available on this installation."]
    if not rows:
        # No subscribers known to OpenBeat itself (e.g. before migrating to it): registered users imported
        # for In the Know accounts, by group.
        observed = scope.data.kpis(
            "registered_users", months=months, before=before, by="group", platforms=[Account.Platform.ITK]
        )
        rows = [[*_compare(r.label, r.current, r.previous), None, None] for r in observed.rows]
        if rows:
            notes = ["Registered users as imported for In the Know accounts; new and lost are not known."]
    totals = [*_total_row(rows), _sum(r[5] for r in rows), _sum(r[6] for r in rows)]
    table = Table(
        key="itk_divisions",
        title="In the Know registered users by division",
        columns=[*_columns("Division", f"At end of {scope.last}", f"At end of {scope.compare_to}"), "New", "Lost"],
        formats=[*TEXT, *COMPARE_COLUMNS, "int", "int"],
        rows=rows,
        totals=totals if rows else None,
        notes=["A subscriber counts from confirming their email or phone until they unsubscribe.", *notes],
        chart=Chart(
            kind="bar",
            title=f"In the Know subscribers by division at the end of {scope.last}",
            x=[str(r[0]) for r in rows],
            series=[("Subscribers", _figures(r[1] for r in rows))],
            y_label="Subscribers",
        ),
    )
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
    months, before = scope.months, months_between(scope.compare_from, scope.compare_to)
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
    rows: list[list[Value]] = [_compare(name, now, then) for name, (now, then) in sorted(totals_by_type.items())]
    table = Table(
        key="online_reporting",
        title="Online reports by type",
        columns=_columns("Type", scope.period(), scope.compared()),
        formats=[*TEXT, *COMPARE_COLUMNS],
        rows=rows,
        totals=_total_row(rows) if rows else None,
        notes=notes or ([] if rows else ["No online reports were received in the period."]),
    )
    return Section("online_reporting", "Online reporting", tables=[table])


def _metric_table(scope: Scope, *, key: str, title: str, slugs: list[str]) -> Table:
    names = _metric_names(slugs)
    rows = [_compare_value(scope, names.get(slug, (slug, "flow"))[0], slug) for slug in slugs]
    stock = any(names.get(s, ("", ""))[1] == Metric.Aggregation.STOCK for s in slugs)
    return Table(
        key=key,
        title=title,
        columns=_columns("Measure", scope.period(), scope.compared()),
        formats=[*TEXT, *COMPARE_COLUMNS],
        rows=rows,
        notes=["Counts of people are at the end of each period."] if stock else ["Totals over each period."],
    )


def _warnings_section(report: BoardReport) -> Section:
    rows: list[list[Value]] = [
        [w.kind.replace("_", " "), w.account, w.metric, w.month, w.message] for w in report.warnings
    ]
    table = Table(
        key="warnings",
        title="Data-quality warnings",
        columns=["Kind", "Account", "Metric", "Month", "Warning"],
        formats=TEXT * 5,
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
    now: datetime.datetime | None = None,
) -> BoardReport:
    """The board report for period_from..period_to (months, inclusive), compared with the period before by default."""
    first, last = _check_month("period_from", period_from), _check_month("period_to", period_to)
    if first > last:
        raise ValueError("period_from must not be after period_to")
    if compare_from is None or compare_to is None:
        compare_from, compare_to = kpis.comparison_for(first, last)
    _check_month("compare_from", compare_from)
    _check_month("compare_to", compare_to)
    scope = Scope(first, last, compare_from, compare_to, _division(division))
    earliest = min(compare_from, month_shift(last, -11))
    scope.figures = figures(first_month=earliest, last_month=max(last, compare_to))
    scope.data = kpis.Slice.load(first=earliest, last=max(last, compare_to), division=scope.division)
    report = BoardReport(
        force_name=Force.current().name or settings.FORCE_NAME,
        period_from=first,
        period_to=last,
        compare_from=compare_from,
        compare_to=compare_to,
        generated_at=(now or timezone.now()).isoformat(),
        division=scope.division.name if scope.division else "",
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
            tables=[_metric_table(scope, key="events_surveys", title="Events and surveys", slugs=EVENTS_SURVEYS)],
        ),
        Section(
            "citizens_in_policing",
            "Citizens in Policing",
            tables=[
                _metric_table(
                    scope, key="citizens_in_policing", title="Citizens in Policing", slugs=CITIZENS_IN_POLICING
                )
            ],
        ),
    ]
    report.warnings = warnings_for(first_month=first, last_month=last, division=scope.division, data=scope.data)
    report.sections.append(_warnings_section(report))
    return report
