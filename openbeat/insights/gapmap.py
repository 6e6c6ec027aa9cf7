"""The engagement gap map: a metric per 1,000 residents for each neighbourhood, against the force's rate.

Figures come from the metric sources (In the Know subscribers by home neighbourhood, reports by where they
happened) and from observations entered with a neighbourhood. A neighbourhood without a population figure
has no rate: it is shown as "no population data", never as zero, and is left out of the force rate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from openbeat.areas.models import Neighbourhood
from openbeat.core import metric_sources
from openbeat.core.months import month_start
from openbeat.insights.models import InsightsSettings, Metric, Observation

DEFAULT_METRIC = "itk_subscribers"


@dataclass
class GapRow:
    code: str
    name: str
    division: str
    division_code: str
    population: int | None
    value: float
    rate: float | None  # per 1,000 residents; None without population data
    share_of_force: float | None  # rate / force rate
    flagged: bool


@dataclass
class GapMap:
    metric: str
    metric_label: str
    first_month: str
    last_month: str
    force_rate: float | None
    flag_share: float
    rows: list[GapRow] = field(default_factory=list)
    metrics: list[tuple[str, str]] = field(default_factory=list)  # (slug, label) that can be mapped

    @property
    def flagged(self) -> list[GapRow]:
        return [row for row in self.rows if row.flagged]

    @property
    def without_population(self) -> list[GapRow]:
        return [row for row in self.rows if row.population is None]


def _source_values(metric: str, first_month: str, last_month: str) -> tuple[dict[str, float], list[tuple[str, str]]]:
    """Per-neighbourhood values of `metric` from the metric sources, and every mappable source metric."""
    stock_latest: dict[str, tuple[str, float]] = {}
    sums: dict[str, float] = defaultdict(float)
    available: dict[str, str] = {}
    for figure in metric_sources.figures(first_month=first_month, last_month=last_month):
        if figure.neighbourhood is None or figure.dimension:
            continue
        available.setdefault(figure.metric, figure.label or figure.metric.replace("_", " ").capitalize())
        if figure.metric != metric:
            continue
        if figure.aggregation == "stock":
            seen = stock_latest.get(figure.neighbourhood)
            if seen is None or figure.month >= seen[0]:
                stock_latest[figure.neighbourhood] = (figure.month, figure.value)
        else:
            sums[figure.neighbourhood] += figure.value
    values = {code: value for code, (_, value) in stock_latest.items()} if stock_latest else dict(sums)
    return values, sorted(available.items(), key=lambda item: item[1])


def _observation_values(
    metric: str, first_month: str, last_month: str
) -> tuple[dict[str, float], list[tuple[str, str]]]:
    rows = Observation.objects.filter(
        neighbourhood__isnull=False,
        granularity=Observation.Granularity.MONTH,
        period_start__gte=month_start(first_month),
        period_start__lte=month_start(last_month),
        dimension="",
    )
    available = [
        (slug, name) for slug, name in Metric.objects.filter(pk__in=rows.values("metric")).values_list("slug", "name")
    ]
    found = Metric.objects.filter(slug=metric).first()
    if found is None:
        return {}, available
    rows = rows.filter(metric=found)
    if found.aggregation == Metric.Aggregation.STOCK:
        # The level at the end: each neighbourhood's latest month in the range.
        latest: dict[str, tuple[date, float]] = {}
        for code, start, value in rows.values_list("neighbourhood__code", "period_start", "value"):
            if code not in latest or start >= latest[code][0]:
                latest[code] = (start, value)
        return {code: value for code, (_, value) in latest.items()}, available
    summed = rows.values("neighbourhood__code").annotate(total=Sum("value"))
    return {row["neighbourhood__code"]: row["total"] for row in summed}, available


def gap_map(
    *, metric: str = DEFAULT_METRIC, first_month: str, last_month: str, division_id: int | None = None
) -> GapMap:
    values, source_metrics = _source_values(metric, first_month, last_month)
    observed, observed_metrics = _observation_values(metric, first_month, last_month)
    for code, value in observed.items():
        values[code] = values.get(code, 0.0) + value
    labels = dict(observed_metrics) | dict(source_metrics)
    settings = InsightsSettings.load()
    neighbourhoods = Neighbourhood.objects.select_related("division").order_by("division__name", "name")
    if division_id is not None:
        neighbourhoods = neighbourhoods.filter(division_id=division_id)
    rows = [
        GapRow(
            code=n.code,
            name=n.name,
            division=n.division.name,
            division_code=n.division.code,
            population=n.population or None,
            value=values.get(n.code, 0.0),
            rate=(values.get(n.code, 0.0) * 1000 / n.population) if n.population else None,
            share_of_force=None,
            flagged=False,
        )
        for n in neighbourhoods
    ]
    counted = [row for row in rows if row.population]
    population = sum(row.population or 0 for row in counted)
    force_rate = (sum(row.value for row in counted) * 1000 / population) if population else None
    for row in rows:
        if row.rate is not None and force_rate:
            row.share_of_force = row.rate / force_rate
            row.flagged = row.share_of_force < settings.gap_flag_share
    return GapMap(
        metric=metric,
        metric_label=labels.get(metric, metric.replace("_", " ").capitalize()),
        first_month=first_month,
        last_month=last_month,
        force_rate=force_rate,
        flag_share=settings.gap_flag_share,
        rows=rows,
        metrics=sorted(labels.items(), key=lambda item: item[1]) or [(DEFAULT_METRIC, "In the Know subscribers")],
    )
