"""Data-quality warnings shown beside the figures. Each check is one aggregate query over the period.

- total_mismatch: a channel's own reported total (an `is_channel_total` account) differs from the sum of the
  channel's accounts by more than the tolerance: 1% of the total, and at least 5 (small differences in small
  figures are rounding in the platforms' exports, not errors). Unique metrics are not compared: the sum of
  accounts' unique people is rightly larger than the channel's.
- missing_month: a month with no figure in an account's series, from the series' first month in the period (or
  the period's first month, when the series has a figure for the month before) to the period's last month.
- implausible_jump: a stock (followers) that grows more than 5x or falls below a fifth month on month, when
  the larger of the two values is at least JUMP_FLOOR (a new account going from 3 to 40 followers is normal).
- ungrouped_account: an account with figures in the period but no reporting group.
- not_additive: a unique metric with figures in a period of several months: its period figure is refused.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum, Window
from django.db.models.functions import Lag

from openbeat.areas.models import Division
from openbeat.core.months import month_of, month_shift, month_start, months_between
from openbeat.insights.kpis import Slice
from openbeat.insights.models import Account, Metric, Observation
from openbeat.insights.structure import DataWarning

MISMATCH_SHARE = 0.01
MISMATCH_ABSOLUTE = 5.0
JUMP_FACTOR = 5.0
JUMP_FLOOR = 100.0


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _monthly(first: str, last: str, division: Division | None = None) -> QuerySet[Observation]:
    qs = Observation.objects.filter(
        granularity=Observation.Granularity.MONTH,
        period_start__gte=month_start(first),
        period_start__lte=month_start(last),
        dimension="",
    )
    if division is not None:
        qs = qs.filter(account__group__division=division)
    return qs


def total_mismatches(*, first_month: str, last_month: str, data: Slice | None = None) -> list[DataWarning]:
    """Channel totals against their accounts; from `data` (the report's slice) when given, else one query."""
    names = dict(Metric.objects.exclude(aggregation=Metric.Aggregation.UNIQUE).values_list("slug", "name"))
    sums: dict[tuple[str, str, str, str], dict[bool, float]] = defaultdict(dict)
    if data is not None:
        months = set(months_between(first_month, last_month))
        for (platform, slug, month), total in data.channel_totals.items():
            if slug in names and month in months:
                cells = data.monthly(slug, platforms=[platform]).get(None, {})
                sums[(platform, slug, names[slug], month)][True] = total
                if month in cells:
                    sums[(platform, slug, names[slug], month)][False] = cells[month].value
    else:
        # Only channels that report their own total can disagree with it: skip the query for the others.
        platforms = set(Account.objects.filter(is_channel_total=True).values_list("platform", flat=True))
        rows = (
            _monthly(first_month, last_month)
            .filter(account__platform__in=platforms, metric__slug__in=list(names))
            .values("account__platform", "account__is_channel_total", "metric__slug", "period_start")
            .annotate(v=Sum("value"))
            .order_by()
        )
        for r in rows if platforms else []:
            key = (r["account__platform"], r["metric__slug"], names[r["metric__slug"]], month_of(r["period_start"]))
            sums[key][r["account__is_channel_total"]] = r["v"]
    out = []
    for (platform, slug, name, month), pair in sorted(sums.items()):
        if True not in pair or False not in pair:
            continue
        total, accounts = pair[True], pair[False]
        if abs(total - accounts) > max(MISMATCH_SHARE * abs(total), MISMATCH_ABSOLUTE):
            label = Account.Platform(platform).label if platform in Account.Platform.values else platform
            out.append(
                DataWarning(
                    "total_mismatch",
                    f"{label} {name.lower()} for {month}: the channel's reported total is {_fmt(total)} but its "
                    f"accounts add up to {_fmt(accounts)}. The report uses the accounts' figures.",
                    account=f"All {label} accounts",
                    metric=slug,
                    month=month,
                )
            )
    return out


def missing_months(*, first_month: str, last_month: str, division: Division | None = None) -> list[DataWarning]:
    months = months_between(first_month, last_month)
    # A series with a figure for the month before the period is expected in every month of it; one that began
    # inside the period, from its first month. Looking back one month keeps the query to the period's slice.
    series = (
        _monthly(month_shift(first_month, -1), last_month, division)
        .filter(account__active=True)
        .values("account_id", "metric_id")
        .annotate(n=Count("id", filter=Q(period_start__gte=month_start(first_month))), first=Min("period_start"))
        .order_by()
    )
    expected = {m: len(months) - i for i, m in enumerate(months)}  # months from m to the last
    gappy = []
    for s in series:
        s["first"] = max(month_of(s["first"]), first_month)
        if s["n"] < expected[s["first"]]:
            gappy.append(s)
    if not gappy:
        return []
    present: dict[tuple[int, int], set[str]] = defaultdict(set)
    wanted = {(s["account_id"], s["metric_id"]) for s in gappy}
    rows = (
        _monthly(first_month, last_month, division)
        .filter(account_id__in={a for a, _ in wanted}, metric_id__in={m for _, m in wanted})
        .values_list("account_id", "metric_id", "period_start")
    )
    for account_id, metric_id, start in rows:
        present[(account_id, metric_id)].add(month_of(start))
    accounts = {a.pk: str(a) for a in Account.objects.filter(pk__in={a for a, _ in wanted})}
    metrics = {m.pk: m for m in Metric.objects.filter(pk__in={m for _, m in wanted})}
    out = []
    for s in sorted(gappy, key=lambda s: (accounts[s["account_id"]], metrics[s["metric_id"]].slug)):
        key = (s["account_id"], s["metric_id"])
        for month in months:
            if month >= s["first"] and month not in present[key]:
                account, metric = accounts[key[0]], metrics[key[1]]
                out.append(
                    DataWarning(
                        "missing_month",
                        f"{account}: no {metric.name.lower()} figure for {month}.",
                        account=account,
                        metric=metric.slug,
                        month=month,
                    )
                )
    return out


def implausible_jumps(*, first_month: str, last_month: str, division: Division | None = None) -> list[DataWarning]:
    # The comparison with the month before runs in SQL (a window function), so only the few flagged rows come
    # back; whether "the row before" really is the month before is checked on those.
    partition, order = [F("account_id"), F("metric_id")], F("period_start").asc()
    stocks = (
        _monthly(month_shift(first_month, -1), last_month, division)
        .filter(metric__aggregation=Metric.Aggregation.STOCK)
        .annotate(
            before=Window(Lag("value"), partition_by=partition, order_by=order),
            before_start=Window(Lag("period_start"), partition_by=partition, order_by=order),
        )
    )
    jumped = (Q(value__gt=F("before") * JUMP_FACTOR) | Q(before__gt=F("value") * JUMP_FACTOR)) & (
        Q(value__gte=JUMP_FLOOR) | Q(before__gte=JUMP_FLOOR)
    )
    rows = stocks.filter(jumped, before__isnull=False).values_list(
        "account_id", "metric_id", "period_start", "value", "before", "before_start"
    )
    flagged: list[tuple[int, int, str, float, float]] = [
        (account_id, metric_id, month_of(start), before, value)
        for account_id, metric_id, start, value, before, before_start in rows
        if month_of(start) >= first_month and month_of(before_start) == month_shift(month_of(start), -1)
    ]
    flagged.sort(key=lambda f: (f[0], f[1], f[2]))
    accounts = {a.pk: str(a) for a in Account.objects.filter(pk__in={f[0] for f in flagged})}
    metrics = {m.pk: m for m in Metric.objects.filter(pk__in={f[1] for f in flagged})}
    return [
        DataWarning(
            "implausible_jump",
            f"{accounts[a]}: {metrics[m].name.lower()} went from {_fmt(before)} to {_fmt(value)} in {month}. "
            "Check the figure before relying on it.",
            account=accounts[a],
            metric=metrics[m].slug,
            month=month,
        )
        for a, m, month, before, value in flagged
    ]


def ungrouped_accounts(*, first_month: str, last_month: str) -> list[DataWarning]:
    # Few accounts lack a group: look for their figures only (and not at all when there are none).
    ungrouped = list(Account.objects.filter(group__isnull=True, is_channel_total=False).values_list("pk", flat=True))
    if not ungrouped:
        return []
    ids = _monthly(first_month, last_month).filter(account_id__in=ungrouped).values_list("account_id", flat=True)
    ids = ids.distinct()
    return [
        DataWarning(
            "ungrouped_account",
            f"{a} has figures but no reporting group: it is counted in channel totals but in no group's row.",
            account=str(a),
        )
        for a in Account.objects.filter(pk__in=list(ids))
    ]


def not_additive(*, first_month: str, last_month: str, division: Division | None = None) -> list[DataWarning]:
    if first_month == last_month:
        return []
    found = (
        _monthly(first_month, last_month, division)
        .filter(metric__aggregation=Metric.Aggregation.UNIQUE)
        .values("metric__slug", "metric__name")
        .annotate(n=Max("id"))
        .order_by("metric__name")
    )
    return [
        DataWarning(
            "not_additive",
            f"{r['metric__name']} counts unique people each month. Months cannot be added into a figure for "
            f"{first_month} to {last_month}, so the report shows it by month only.",
            metric=r["metric__slug"],
        )
        for r in found
    ]


def warnings_for(
    *, first_month: str, last_month: str, division: Division | None = None, data: Slice | None = None
) -> list[DataWarning]:
    """Every data-quality warning for the period (optionally only a division's accounts).

    Channel totals and ungrouped accounts belong to no division, so a division's report leaves those out.
    """
    first, last = first_month, last_month
    return [
        *(total_mismatches(first_month=first, last_month=last, data=data) if division is None else []),
        *missing_months(first_month=first, last_month=last, division=division),
        *implausible_jumps(first_month=first, last_month=last, division=division),
        *(ungrouped_accounts(first_month=first, last_month=last) if division is None else []),
        *not_additive(first_month=first, last_month=last, division=division),
    ]
