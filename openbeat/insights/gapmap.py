"""The engagement gap map: a metric per 1,000 residents for each neighbourhood, against the force's rate.

A score (a survey index, aggregation "score") is not a count: it is mapped as the neighbourhood's own score over
the months chosen (the mean over all its respondents) against the force's score over all respondents, never per
1,000 residents. A neighbourhood with fewer respondents than the force's minimum shows "too few responses", never
a score and never zero.

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
    value: float | None  # None: a score from too few responses
    rate: float | None  # per 1,000 residents; None without population data
    share_of_force: float | None  # rate / force rate (a score: score / the force's score)
    flagged: bool
    too_few: bool = False  # a score from fewer respondents than the minimum: not shown


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
    kind: str = "rate"  # "rate" (per 1,000 residents) or "score" (the neighbourhood's own score)
    minimum: int = 0  # a score's smallest number of respondents shown

    @property
    def is_score(self) -> bool:
        return self.kind == "score"

    @property
    def too_few(self) -> list[GapRow]:
        return [row for row in self.rows if row.too_few]

    @property
    def flagged(self) -> list[GapRow]:
        return [row for row in self.rows if row.flagged]

    @property
    def without_population(self) -> list[GapRow]:
        return [row for row in self.rows if row.population is None]


def _source_values(
    metric: str, first_month: str, last_month: str
) -> tuple[dict[str, float], list[tuple[str, str]], list[metric_sources.Figure]]:
    """Per-neighbourhood values of `metric` from the metric sources, every mappable source metric, and the
    metric's figures when it is a score (the whole force's, with or without a neighbourhood)."""
    stock_latest: dict[str, tuple[str, float]] = {}
    sums: dict[str, float] = defaultdict(float)
    available: dict[str, str] = {}
    scores: list[metric_sources.Figure] = []
    for figure in metric_sources.figures(first_month=first_month, last_month=last_month):
        if figure.aggregation == "score" and figure.metric == metric and not figure.dimension:
            scores.append(figure)
        if figure.neighbourhood is None or figure.dimension:
            continue
        available.setdefault(figure.metric, figure.label or figure.metric.replace("_", " ").capitalize())
        if figure.metric != metric or figure.aggregation == "score":
            continue
        if figure.aggregation == "stock":
            seen = stock_latest.get(figure.neighbourhood)
            if seen is None or figure.month >= seen[0]:
                stock_latest[figure.neighbourhood] = (figure.month, figure.value)
        else:
            sums[figure.neighbourhood] += figure.value
    values = {code: value for code, (_, value) in stock_latest.items()} if stock_latest else dict(sums)
    return values, sorted(available.items(), key=lambda item: item[1]), scores


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
    values, source_metrics, scores = _source_values(metric, first_month, last_month)
    if scores:
        return _score_map(metric, first_month, last_month, division_id, scores, source_metrics)
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
    force_rate = (sum(row.value or 0.0 for row in counted) * 1000 / population) if population else None
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


def _score_map(
    metric: str,
    first_month: str,
    last_month: str,
    division_id: int | None,
    scores: list[metric_sources.Figure],
    source_metrics: list[tuple[str, str]],
) -> GapMap:
    """A score per neighbourhood over the months (all its respondents) against the force's over all respondents."""
    minimum = metric_sources.small_number_minimum()
    settings = InsightsSettings.load()
    by_place: dict[str, list[metric_sources.Figure]] = defaultdict(list)
    for figure in scores:
        if figure.neighbourhood is not None:
            by_place[figure.neighbourhood].append(figure)
    force, force_n = metric_sources.weighted_score(scores)
    force_score = force if force_n >= minimum else None
    neighbourhoods = Neighbourhood.objects.select_related("division").order_by("division__name", "name")
    if division_id is not None:
        neighbourhoods = neighbourhoods.filter(division_id=division_id)
    rows = []
    for n in neighbourhoods:
        score, respondents = metric_sources.weighted_score(by_place.get(n.code, []))
        shown = score if respondents >= minimum else None
        share = shown / force_score if shown is not None and force_score else None
        rows.append(
            GapRow(
                code=n.code,
                name=n.name,
                division=n.division.name,
                division_code=n.division.code,
                population=n.population or None,
                value=shown,
                rate=None,
                share_of_force=share,
                flagged=share is not None and share < settings.gap_flag_share,
                too_few=shown is None,
            )
        )
    labels = dict(source_metrics)
    return GapMap(
        metric=metric,
        metric_label=scores[0].label or labels.get(metric, metric),
        first_month=first_month,
        last_month=last_month,
        force_rate=force_score,
        flag_share=settings.gap_flag_share,
        rows=rows,
        metrics=sorted(labels.items(), key=lambda item: item[1]),
        kind="score",
        minimum=minimum,
    )
