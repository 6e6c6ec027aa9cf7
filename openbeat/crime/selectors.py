"""Reads: a neighbourhood's crime figures (counts only, aggregated in the database) and the import record."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, QuerySet, Sum
from django.utils.safestring import SafeString, mark_safe

from openbeat.areas.models import Neighbourhood
from openbeat.core.months import month_of, month_shift, month_start, months_between
from openbeat.core.pagecache import per_generation
from openbeat.crime.categories import ANTI_SOCIAL_BEHAVIOUR
from openbeat.crime.models import CrimeCategory, CrimeCount, CrimeImport

TREND_MONTHS = 12
DATA_POLICE_UK_ABOUT = "https://data.police.uk/about/"


@dataclass(frozen=True)
class CategoryCount:
    slug: str
    name: str
    count: int


@dataclass(frozen=True)
class MonthCount:
    month: datetime.date
    count: int


@dataclass
class CrimeSummary:
    """What the neighbourhood page shows: counts for the force's latest month, 12 months of totals, rates."""

    latest_month: datetime.date | None  # the force's latest month with any crime; None when there is no data
    total: int = 0
    by_category: list[CategoryCount] = field(default_factory=list)  # categories with crimes, most first
    trend: list[MonthCount] = field(default_factory=list)  # TREND_MONTHS months to latest_month, 0 when none
    outcomes: list[tuple[str, int]] = field(default_factory=list)  # last outcome given -> count, most first
    without_outcome: int = 0  # crimes with no outcome given (anti-social behaviour has none)
    population: int | None = None
    rate: float | None = None  # per 1,000 residents, latest month
    force_rate: float | None = None  # the same across the neighbourhoods whose population is known
    force_population: int = 0

    @property
    def anti_social_behaviour(self) -> int:
        return next((c.count for c in self.by_category if c.slug == ANTI_SOCIAL_BEHAVIOUR), 0)


def _per_thousand(count: int, population: int | None) -> float | None:
    return count * 1000 / population if population else None


def _force_figures() -> tuple[datetime.date | None, int, int]:
    """The latest month with crimes, and the force's population and crimes that month (neighbourhoods whose
    population is known): the same for every neighbourhood page, read from the counts (a few thousand rows)."""
    latest = CrimeCount.objects.aggregate(latest=Max("month"))["latest"]
    if latest is None:
        return None, 0, 0
    populations: dict[int, int] = {
        pk: population or 0
        for pk, population in Neighbourhood.objects.filter(population__gt=0).values_list("pk", "population")
    }
    per_place = CrimeCount.objects.filter(month=latest).values_list("neighbourhood_id").annotate(n=Sum("count"))
    force_count = sum(n for place, n in per_place.order_by() if place in populations)
    return latest, sum(populations.values()), force_count


def neighbourhood_crime_summary(neighbourhood: Neighbourhood) -> CrimeSummary:
    """The figures for `neighbourhood` in one query of its counts (crime.models.CrimeCount), whatever the number
    of crimes (plus three, shared by every neighbourhood page, once per change of public content)."""
    latest, force_population, force_count = per_generation("crime.force_figures", _force_figures)
    if latest is None:
        return CrimeSummary(latest_month=None, population=neighbourhood.population)
    last = month_of(latest)
    months = months_between(month_shift(last, 1 - TREND_MONTHS), last)
    first = month_start(months[0])
    rows = (
        CrimeCount.objects.filter(neighbourhood=neighbourhood, month__gte=first, month__lte=latest)
        .values_list("month", "category", "category__name", "outcome_category")
        .annotate(n=Sum("count"))
        .order_by()
    )
    per_month = dict.fromkeys(months, 0)
    categories: dict[tuple[str, str], int] = {}
    outcome_counts: dict[str, int] = {}
    for month, slug, name, outcome, count in rows:
        per_month[month_of(month)] += count
        if month == latest:
            categories[(slug, name)] = categories.get((slug, name), 0) + count
            outcome_counts[outcome] = outcome_counts.get(outcome, 0) + count
    by_category = sorted(
        (CategoryCount(slug, name, count) for (slug, name), count in categories.items()),
        key=lambda c: (-c.count, c.name),
    )
    without = outcome_counts.pop("", 0)
    outcomes = sorted(outcome_counts.items(), key=lambda pair: (-pair[1], pair[0]))
    total = per_month[last]
    return CrimeSummary(
        latest_month=latest,
        total=total,
        by_category=by_category,
        trend=[MonthCount(month_start(m), per_month[m]) for m in months],
        outcomes=outcomes,
        without_outcome=without,
        population=neighbourhood.population,
        rate=_per_thousand(total, neighbourhood.population),
        force_rate=_per_thousand(force_count, force_population),
        force_population=force_population,
    )


def trend_chart_svg(summary: CrimeSummary, *, place: str) -> SafeString:
    """The 12-month trend as an accessible inline SVG (title and description; the table beside has the figures)."""
    # The back office's chart renderer: CSP-safe SVG (no scripts or style attributes), role="img", <title>/<desc>.
    from openbeat.insights.render.charts import cached_chart_svg
    from openbeat.insights.structure import Chart

    chart = Chart(
        kind="bar",
        title=f"Crimes and anti-social behaviour recorded each month in {place}",
        x=[f"{m.month:%b %Y}" for m in summary.trend],
        series=[("Crimes and anti-social behaviour", [float(m.count) for m in summary.trend])],
        y_label="Number recorded",
    )
    # Rendered from the chart's own text and numbers only; chart_svg escapes the title and description.
    return mark_safe(cached_chart_svg(chart, width=640, height=300, id_prefix="crime-trend"))


def neighbourhood_crime_section(neighbourhood: Neighbourhood) -> dict[str, Any]:
    """The neighbourhood page's "Crime in your area" (registered with areas.sections in CrimeConfig.ready)."""
    summary = neighbourhood_crime_summary(neighbourhood)
    chart = trend_chart_svg(summary, place=neighbourhood.name) if summary.latest_month else ""
    return {"crime": summary, "chart": chart, "about_url": DATA_POLICE_UK_ABOUT}


def crime_categories() -> QuerySet[CrimeCategory]:
    return CrimeCategory.objects.all()


def crime_imports(*, limit: int = 50) -> list[CrimeImport]:
    """The latest imports, newest first, with who ran them."""
    return list(CrimeImport.objects.select_related("actor")[:limit])
