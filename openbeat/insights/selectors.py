"""Small reads for the dashboard and the report. Each is one or two aggregate queries (or one call to a metric source).

`observations_with_group` and `groups_in_order` are what every figure by group starts from, kpis included: so
this module imports kpis only inside the functions that use it (kpis imports this module).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import BigIntegerField, Max, Min, QuerySet
from django.db.models.functions import Coalesce

from openbeat.areas.models import Division
from openbeat.core.metric_sources import figures, metric_sources
from openbeat.core.months import month_of
from openbeat.insights.models import Observation, ReportingGroup

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from openbeat.insights import kpis


class EffectiveGroup(TypedDict):
    effective_group_id: int | None


if TYPE_CHECKING:
    ObservationsWithGroup = QuerySet[WithAnnotations[Observation, EffectiveGroup]]  # for annotations only


def observations_with_group(queryset: QuerySet[Observation] | None = None) -> ObservationsWithGroup:
    """`queryset` (default: every observation) annotated with `effective_group_id`: the group each figure counts for.

    A figure counts for its own `Observation.group` when it has one (one account counting for several groups,
    as an "In the Know" account's registered users per division), else for its account's group; None when
    neither has one (an account not yet put in a group, or a channel's total). A channel's total account
    (`is_channel_total`, which never has a group itself) with a group on the figure is that group's reported
    total on the channel (a file's `TOTAL,West` row); with none, the channel's. Group, filter and order by it
    like a column, e.g. `.values("effective_group_id", "metric_id").annotate(Sum("value"))`, or
    `.filter(effective_group_id__in=ReportingGroup.objects.filter(division=d).values("pk"))` for a division.
    Never read `account__group` for a figure: it misses the figures an account reports for other groups.
    Typed (`ObservationsWithGroup`) so that mypy accepts `effective_group_id` in filter(), values() and on rows.
    """
    if queryset is None:
        queryset = Observation.objects.all()
    return queryset.annotate(effective_group_id=Coalesce("group", "account__group", output_field=BigIntegerField()))


def groups_in_order() -> QuerySet[ReportingGroup]:
    """Every reporting group in the force's order: `sort_order` (set in the back office), then creation; never by name.

    Groups an import creates come after the existing ones, in the order the file first names them.
    """
    return ReportingGroup.objects.order_by("sort_order", "pk")


def series(
    metric: str,
    months: Sequence[str],
    group: ReportingGroup | None = None,
    platform: str | None = None,
    division: Division | None = None,
) -> list[tuple[str, float | None]]:
    """(month, value) for each of `months` (consecutive "YYYY-MM"), accounts added up as the metric allows."""
    from openbeat.insights import kpis

    if not months:
        return []
    return kpis.monthly_series(
        metric=metric,
        first=months[0],
        last=months[-1],
        group=group,
        platforms=[platform] if platform else None,
        division=division,
    )


def observed_months() -> tuple[str, str] | None:
    """The first and last month with any monthly observation, for the dashboard's default period."""
    span = Observation.objects.filter(granularity=Observation.Granularity.MONTH).aggregate(
        first=Min("period_start"), last=Max("period_start")
    )
    if span["first"] is None:
        return None
    return month_of(span["first"]), month_of(span["last"])


def followers_growth(
    *, first: str, last: str, by: kpis.By = "platform", division: Division | None = None
) -> kpis.KpiTable:
    """Followers at the end of first..last against the period before, by channel or by group (division)."""
    from openbeat.insights import kpis

    compare_from, compare_to = kpis.comparison_for(first, last)
    return kpis.kpi_table(
        metric="followers",
        first=first,
        last=last,
        compare_from=compare_from,
        compare_to=compare_to,
        by=by,
        division=division,
        platforms=kpis.SOCIAL_PLATFORMS,
    )


@dataclass
class AlertMonth:
    month: str
    alerts_sent: float
    delivered: float
    failed: float
    delivery_rate: float | None  # delivered / (delivered + failed), percent
    open_rate: float | None  # emails opened / emails delivered
    click_rate: float | None  # messages with a click / messages delivered
    average_rating: float | None  # 1-5, one decimal place
    replies: float
    signups: float  # sign-ups from shared alerts


def alerts_performance(*, months: Sequence[str], division: Division | None = None) -> list[AlertMonth]:
    """Alert delivery, opens, clicks, ratings and replies per month, from the "delivery" metric source."""
    from openbeat.insights.kpis import rate_pct

    if not months or "delivery" not in metric_sources():
        return []
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for f in figures(first_month=months[0], last_month=months[-1], only=["delivery"]):
        if division is None or f.division == division.code:
            totals[f.month][f.metric] += f.value
    out = []
    for m in months:
        t = totals[m]
        ratings = t["ratings"]
        out.append(
            AlertMonth(
                month=m,
                alerts_sent=t["alerts_sent"],
                delivered=t["deliveries_delivered"],
                failed=t["deliveries_failed"],
                delivery_rate=rate_pct(t["deliveries_delivered"], t["deliveries_delivered"] + t["deliveries_failed"]),
                open_rate=rate_pct(t["emails_opened"], t["emails_delivered"]),
                click_rate=rate_pct(t["deliveries_clicked"], t["deliveries_delivered"]),
                average_rating=round(t["rating_points"] / ratings, 1) if ratings else None,
                replies=t["replies"],
                signups=t["alert_signups"],
            )
        )
    return out


def reporting_volumes(*, months: Sequence[str], division: Division | None = None) -> dict[str, dict[str, float]]:
    """Online reports per type and month from the "reports" metric source: {type: {month: count}}."""
    if not months or "reports" not in metric_sources():
        return {}
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for f in figures(first_month=months[0], last_month=months[-1], only=["reports"]):
        if f.aggregation != "flow" or (division is not None and f.division != division.code):
            continue
        if f.dimension.startswith("type:"):
            out[f.dimension.split(":", 1)[1]][f.month] += f.value
    return {k: dict(v) for k, v in sorted(out.items())}
