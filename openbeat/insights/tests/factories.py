"""Insights factories. `observe(account, "followers", "2025-03", 1200)` records one figure (upserted)."""

from __future__ import annotations

import datetime
from typing import Any

import factory

from openbeat.core.months import month_shift
from openbeat.insights.catalogue import STANDARD_METRICS, metrics_sync
from openbeat.insights.models import Account, Metric, Observation, ReportingGroup


class GroupFactory(factory.django.DjangoModelFactory):
    """A reporting group; pass division=... to make it a division's group."""

    class Meta:
        model = ReportingGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    division = None


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        django_get_or_create = ("platform", "name")

    platform = Account.Platform.FACEBOOK
    name = factory.Sequence(lambda n: f"@Account{n}")
    group = factory.SubFactory(GroupFactory)


class MetricFactory(factory.django.DjangoModelFactory):
    """A force-defined metric (the standard ones come from `metric()`)."""

    class Meta:
        model = Metric
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"custom-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").capitalize())
    aggregation = Metric.Aggregation.FLOW


_STANDARD = {slug for slug, _, _ in STANDARD_METRICS}


def metric(slug: str) -> Metric:
    """The metric `slug`: standard ones are synced on demand (transactional tests flush them), others made FLOW."""
    found = Metric.objects.filter(slug=slug).first()
    if found is not None:
        return found
    if slug in _STANDARD:
        metrics_sync()
        return Metric.objects.get(slug=slug)
    return MetricFactory(slug=slug)


def period(text: str) -> tuple[str, datetime.date]:
    """("month", first day) for "YYYY-MM"; ("day", the day) for "YYYY-MM-DD"."""
    if len(text) == 7:
        return Observation.Granularity.MONTH, datetime.date.fromisoformat(f"{text}-01")
    return Observation.Granularity.DAY, datetime.date.fromisoformat(text)


def observe(
    account: Account,
    metric_slug: str,
    when: str,
    value: float,
    dimension: str = "",
    *,
    group: ReportingGroup | None = None,
    **extra: Any,
) -> Observation:
    """Record one observation (replacing any for the same key). `extra`: neighbourhood=, batch=, entered_by=.

    `group=`: the group the figure counts for when it is not the account's own (as one "In the Know" account
    counting registered users per division).
    """
    granularity, start = period(when)
    observation, _ = Observation.objects.update_or_create(
        account=account,
        group=group,
        metric=metric(metric_slug),
        granularity=granularity,
        period_start=start,
        dimension=dimension,
        defaults={"value": value, **extra},
    )
    return observation


def observe_series(account: Account, metric_slug: str, first: str, values: list[float], dimension: str = "") -> None:
    """One monthly observation per value, from month `first` ("YYYY-MM") on."""
    for n, value in enumerate(values):
        observe(account, metric_slug, month_shift(first, n), value, dimension)
