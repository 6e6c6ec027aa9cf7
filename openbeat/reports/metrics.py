"""Online reporting figures for insights (the board report's "online reporting" table): metric source "reports".

`reports_submitted` (a flow: reports received in the month, UK time) comes two ways, each additive on its own:
- dimension "type:<slug>", one figure per month, division and type;
- dimension "", one figure per month and neighbourhood (with its division), for totals and the gap map.
Reports with no location count under division None. Two aggregate queries, whatever the number of reports.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from django.db.models.functions import TruncMonth

from openbeat.core.metric_sources import Figure
from openbeat.core.months import month_ends_at, month_of, month_starts_at
from openbeat.reports.models import Report

METRIC = "reports_submitted"
LABEL = "Reports made online"


def report_figures(*, first_month: str, last_month: str) -> Iterable[Figure]:
    reports = Report.objects.filter(
        created_at__gte=month_starts_at(first_month), created_at__lt=month_ends_at(last_month)
    ).annotate(month=TruncMonth("created_at"))
    by_type = reports.values("month", "division__code", "report_type__slug").annotate(n=Count("id")).order_by()
    for row in by_type:
        yield Figure(
            metric=METRIC,
            month=month_of(row["month"]),
            value=float(row["n"]),
            division=row["division__code"],
            dimension=f"type:{row['report_type__slug']}",
            label=LABEL,
        )
    by_place = reports.values("month", "division__code", "neighbourhood__code").annotate(n=Count("id")).order_by()
    for place in by_place:
        yield Figure(
            metric=METRIC,
            month=month_of(place["month"]),
            value=float(place["n"]),
            division=place["division__code"],
            neighbourhood=place["neighbourhood__code"],
            label=LABEL,
        )
