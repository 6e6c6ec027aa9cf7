"""Watch schemes for insights (the board report's Citizens in Policing): metric source "schemes".

`nhw_schemes` (a stock): per division, the schemes verified by the end of each month and not suspended by then.
One aggregate query for the whole range (a conditional count per month), whatever the number of schemes. A
scheme suspended and later verified again counts from its latest verification (only that date is kept).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q

from openbeat.core.metric_sources import Figure
from openbeat.core.months import month_ends_at, months_between
from openbeat.schemes.models import Scheme

METRIC = "nhw_schemes"
LABEL = "Neighbourhood Watch schemes"


def scheme_figures(*, first_month: str, last_month: str) -> Iterable[Figure]:
    months = months_between(first_month, last_month)
    if not months:
        return []
    counts = {}
    for i, month in enumerate(months):
        end = month_ends_at(month)
        held = Q(verified_at__lt=end) & (Q(status=Scheme.Status.VERIFIED) | Q(suspended_at__gte=end))
        counts[f"m{i}"] = Count("pk", filter=held)
    rows = (
        Scheme.objects.filter(verified_at__isnull=False)
        .values("division__code")
        .annotate(**counts)
        .order_by("division__code")
    )
    figures: list[Figure] = []
    for row in rows:
        counted: dict[str, Any] = dict(row)  # the per-month keys are made up at run time
        figures.extend(
            Figure(
                METRIC,
                month,
                float(counted[f"m{i}"]),
                aggregation="stock",
                division=counted["division__code"],
                label=LABEL,
            )
            for i, month in enumerate(months)
        )
    return figures
