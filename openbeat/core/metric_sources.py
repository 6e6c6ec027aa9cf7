"""Figures OpenBeat knows itself, offered to insights without insights reaching into other apps' tables.

Each app registers, in its AppConfig.ready(), one function per family of figures:

    register_metric_source("itk", subscriber_figures)

A source is called with a month range and returns `Figure`s for every month in it (inclusive). Insights
treats them like observations of a virtual account per (source, division), so the same KPIs, tables and
warnings apply. Sources must answer with one or a few aggregate queries, never a query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from django.conf import settings

# "score": a mean over respondents (a survey index, 0-100): never summed over months or areas; combined as the
# mean weighted by `respondents`, and not shown where fewer than `small_number_minimum()` respondents answered.
Aggregation = Literal["stock", "flow", "unique", "score"]


@dataclass(frozen=True)
class Figure:
    metric: str  # e.g. "itk_subscribers", "alerts_sent", "reports_submitted"
    month: str  # "YYYY-MM"
    value: float
    aggregation: Aggregation = "flow"
    division: str | None = None  # Division.code; None for force-wide figures with no division
    neighbourhood: str | None = None  # Neighbourhood.code, for figures the gap map can place
    dimension: str = ""  # e.g. "type:crime", "channel:email"
    label: str = ""  # what to call the metric in tables, e.g. "In the Know subscribers"
    respondents: int | None = None  # a "score": how many respondents the mean is over


def small_number_minimum() -> int:
    """The force's N: no figure from fewer than N survey respondents is shown (SURVEYS_SMALL_NUMBER_MIN)."""
    return int(getattr(settings, "SURVEYS_SMALL_NUMBER_MIN", 10))


def weighted_score(figures: Iterable[Figure]) -> tuple[float | None, int]:
    """(the mean over every respondent of these score figures, the respondents); (None, 0) when there are none."""
    total, respondents = 0.0, 0
    for f in figures:
        if f.respondents:
            total += f.value * f.respondents
            respondents += f.respondents
    return (total / respondents if respondents else None), respondents


MetricSource = Callable[..., Iterable[Figure]]  # (*, first_month: str, last_month: str) -> Iterable[Figure]

_SOURCES: dict[str, MetricSource] = {}


def register_metric_source(name: str, source: MetricSource) -> None:
    _SOURCES[name] = source


def metric_sources() -> dict[str, MetricSource]:
    return dict(_SOURCES)


def figures(*, first_month: str, last_month: str, only: Iterable[str] | None = None) -> list[Figure]:
    """Every registered source's figures for the months first_month..last_month ("YYYY-MM", inclusive)."""
    wanted = set(only) if only is not None else None
    out: list[Figure] = []
    for name, source in _SOURCES.items():
        if wanted is None or name in wanted:
            out.extend(source(first_month=first_month, last_month=last_month))
    return out


# Listings: a few recent items another app shows on the insights dashboard (e.g. the latest alerts with their
# delivery figures), as plain dicts, so insights still reads no other app's tables. A listing function takes
# (*, limit: int, division_code: str | None) and returns list[dict].
Listing = Callable[..., list[dict]]

_LISTINGS: dict[str, Listing] = {}


def register_listing(name: str, listing: Listing) -> None:
    _LISTINGS[name] = listing


def listing(name: str, *, limit: int = 5, division_code: str | None = None) -> list[dict]:
    found = _LISTINGS.get(name)
    return found(limit=limit, division_code=division_code) if found is not None else []


# Board report sections: an app whose results are not monthly figures (a campaign's results per channel) offers
# a whole section of the board report, as plain data, so insights still imports no other app. A builder takes
# (*, first_month: str, last_month: str, division_code: str | None) and returns None (nothing to show) or
#   {"key": str, "title": str, "paragraphs": [str],
#    "tables": [{"key", "title", "columns": [str], "formats": ["text"|"int"|"num1"|"pct1"], "rows": [[...]],
#                "totals": [...] | None, "notes": [str],
#                "chart": {"kind": "line"|"bar", "title", "x": [str], "series": [[name, [values]]], "y_label"}}]}
# Sections appear after the built-in ones, before the data-quality warnings, in the order registered. A section
# with "part_of": "citizens_in_policing" has its paragraphs and tables shown inside the report's own section of that
# key instead, and "covers": [metric slugs] names the measures its tables already show (so none is shown twice).
ReportSection = Callable[..., dict | None]

_SECTIONS: dict[str, ReportSection] = {}


def register_report_section(name: str, builder: ReportSection) -> None:
    _SECTIONS[name] = builder


def report_sections(*, first_month: str, last_month: str, division_code: str | None = None) -> list[dict]:
    out = []
    for builder in _SECTIONS.values():
        section = builder(first_month=first_month, last_month=last_month, division_code=division_code)
        if section is not None:
            out.append(section)
    return out
