"""Alert delivery figures for insights (metric source "delivery"), per division and month.

Rates are not offered as figures: their numerators and denominators are, as flows, so that insights can add
them over months and divisions and divide at the end (open rate = emails_opened / emails_delivered).
A delivery belongs to the month it was created in (when the alert went out to that person) and to the
division the subscriber's home was in then. Conversion counts sign-ups that arrived from a shared alert's
public page (`?from=alert-...`, kept as the subscriber's source).

Each family is one aggregate query: a filtered COUNT per month, grouped by division.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count, Q, QuerySet, Sum

from openbeat.alerts.models import Alert
from openbeat.core.metric_sources import Figure
from openbeat.core.months import month_ends_at, month_starts_at, months_between
from openbeat.delivery.models import Channel, Delivery, Rating, Reply
from openbeat.subscriptions.models import Subscriber

LABELS = {
    "alerts_sent": "Alerts sent",
    "deliveries_delivered": "Messages delivered",
    "deliveries_failed": "Messages that could not be delivered",
    "emails_delivered": "Emails delivered",
    "emails_opened": "Emails opened",
    "deliveries_clicked": "Messages with a link clicked",
    "ratings": "Ratings given",
    "rating_points": "Rating points (sum of 1-5 scores)",
    "replies": "Replies from residents",
    "alert_signups": "Sign-ups from shared alerts",
}

State = Delivery.State


def _per_month(
    queryset: QuerySet,
    *,
    months: list[str],
    when: str,
    division: str,
    measures: dict[str, tuple[Callable[..., object], Q]],
) -> list[Figure]:
    """Run one query: for each metric and month an aggregate filtered to that month, grouped by division."""
    aggregates = {}
    for m in months:
        in_month = Q(**{f"{when}__gte": month_starts_at(m), f"{when}__lt": month_ends_at(m)})
        for name, (make, condition) in measures.items():
            aggregates[f"{name}__{m}"] = make(condition & in_month)
    rows = (
        queryset.filter(**{f"{when}__gte": month_starts_at(months[0]), f"{when}__lt": month_ends_at(months[-1])})
        .values(division)
        .annotate(**aggregates)
        .order_by()
    )
    out = []
    for row in rows:
        for m in months:
            for name in measures:
                value = row[f"{name}__{m}"] or 0
                out.append(Figure(name, m, float(value), "flow", division=row[division], label=LABELS[name]))
    return out


def _count(condition: Q) -> Count:
    return Count("pk", filter=condition)


def delivery_figures(*, first_month: str, last_month: str) -> list[Figure]:
    months = months_between(first_month, last_month)
    if not months:
        return []
    delivered = Q(state=State.DELIVERED)
    failed = Q(state__in=[State.PERMANENT_FAILURE, State.TECHNICAL_FAILURE])
    email_delivered = delivered & Q(channel=Channel.EMAIL)
    out = _per_month(
        Alert.objects.all(),
        months=months,
        when="sending_at",
        division="division__code",
        measures={"alerts_sent": (_count, Q())},
    )
    out += _per_month(
        Delivery.objects.all(),
        months=months,
        when="created_at",
        division="division__code",
        measures={
            "deliveries_delivered": (_count, delivered),
            "deliveries_failed": (_count, failed),
            "emails_delivered": (_count, email_delivered),
            "emails_opened": (_count, email_delivered & Q(opened_at__isnull=False)),
            "deliveries_clicked": (_count, Q(clicked_at__isnull=False)),
        },
    )
    out += _per_month(
        Rating.objects.all(),
        months=months,
        when="delivery__created_at",
        division="delivery__division__code",
        measures={
            "ratings": (_count, Q()),
            "rating_points": (lambda c: Sum("score", filter=c), Q()),
        },
    )
    out += _per_month(
        Reply.objects.all(),
        months=months,
        when="created_at",
        division="division__code",
        measures={"replies": (_count, Q())},
    )
    out += _per_month(
        Subscriber.objects.filter(source__startswith="alert-"),
        months=months,
        when="created_at",
        division="home_neighbourhood__division__code",
        measures={"alert_signups": (_count, Q())},
    )
    return out
