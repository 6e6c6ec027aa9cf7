"""In the Know figures for insights (metric source "itk"): subscribers by home neighbourhood and month.

A subscriber counts at the end of a month when a contact consent was in force then (given, not yet withdrawn:
unsubscribing and bounces withdraw it, re-subscribing records a new one) and an email or phone had been
confirmed by then. Counting consents rather than people keeps "new" and "lost" exact: a person who leaves and
comes back is lost once and new once. Erased subscribers are gone from the history too, by design.

One aggregate query answers every month: a filtered COUNT per month-end, grouped by home neighbourhood.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q

from openbeat.core.metric_sources import Figure
from openbeat.core.months import month_ends_at, month_shift, months_between
from openbeat.subscriptions.models import Consent


def _active_at(end: datetime.datetime) -> Q:
    confirmed = Q(subscriber__email_confirmed_at__lt=end) | Q(subscriber__phone_verified_at__lt=end)
    return Q(given_at__lt=end) & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=end)) & confirmed


def subscriber_figures(*, first_month: str, last_month: str) -> list[Figure]:
    months = months_between(first_month, last_month)
    if not months:
        return []
    ends = {m: month_ends_at(m) for m in [month_shift(first_month, -1), *months]}
    aggregates = {}
    for m in months:
        now, before = _active_at(ends[m]), _active_at(ends[month_shift(m, -1)])
        aggregates[f"s{m}"] = Count("pk", filter=now)
        aggregates[f"n{m}"] = Count("pk", filter=now & ~before)
        aggregates[f"l{m}"] = Count("pk", filter=before & ~now)
    rows = (
        Consent.objects.filter(purpose=Consent.Purpose.CONTACT, given_at__lt=ends[months[-1]])
        .exclude(withdrawn_at__lt=ends[month_shift(first_month, -1)])
        .values("subscriber__home_neighbourhood__code", "subscriber__home_neighbourhood__division__code")
        .annotate(**aggregates)
        .order_by()
    )
    out: list[Figure] = []
    for row in rows:
        counts: dict[str, int] = dict(row)  # type: ignore[arg-type]
        place: dict[str, Any] = {
            "neighbourhood": row["subscriber__home_neighbourhood__code"],
            "division": row["subscriber__home_neighbourhood__division__code"],
        }
        for m in months:
            out.append(Figure("itk_subscribers", m, counts[f"s{m}"], "stock", label="In the Know subscribers", **place))
            out.append(Figure("itk_new", m, counts[f"n{m}"], "flow", label="New subscribers", **place))
            out.append(Figure("itk_lost", m, counts[f"l{m}"], "flow", label="Subscribers lost", **place))
    return out
