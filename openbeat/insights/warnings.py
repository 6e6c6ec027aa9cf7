"""Data-quality warnings shown beside the figures. Each check is one aggregate query over the period.

- total_mismatch: a channel's own reported total (an `is_channel_total` account) differs from the sum of the
  channel's accounts. Any difference is shown; its size sets the severity: "minor" within the tolerance (the
  threshold share of the total, 1% by default, and at least 5: rounding in the platforms' exports), "major"
  beyond it. Unique metrics are not compared: the sum of accounts' unique people is rightly larger.
- group_looks_like_total: a group whose figure equals the sum of at least two other groups' (for a channel,
  metric and month): most likely a total imported as a group, counted twice in the total row.
- missing_month: a gap in a series' own cadence (learnt from its months in the period and the year before: the
  most common gap between them, the shortest of equally common ones), once per series, naming the months
  missing in the period: two figures at least twice the cadence apart, or no figure since one due in the period.
  A series counted at three dates a year is not missing the months between them; a monthly one missing one is.
- implausible_jump: a stock (followers) that grows more than 5x or falls below a fifth month on month, when
  the larger of the two values is at least JUMP_FLOOR (a new account going from 3 to 40 followers is normal).
- ungrouped_account: an account with figures in the period but no reporting group.
- not_additive: a unique metric with figures in a period of several months: its period figure is refused.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise
from typing import TYPE_CHECKING

from django.db.models import Count, F, Max, Min, Q, Window
from django.db.models.functions import Lag

from openbeat.areas.models import Division
from openbeat.core.months import month_of, month_shift, month_start, months_between
from openbeat.insights.kpis import Slice, in_division
from openbeat.insights.models import Account, Metric, Observation, ReportingGroup
from openbeat.insights.selectors import observations_with_group

if TYPE_CHECKING:
    from openbeat.insights.selectors import ObservationsWithGroup
from openbeat.insights.structure import DataWarning

MISMATCH_SHARE = 0.01  # the default threshold: a difference above 1% of the total (and above 5) is "major"
MISMATCH_ABSOLUTE = 5.0
JUMP_FACTOR = 5.0
JUMP_FLOOR = 100.0
CADENCE_LOOKBACK = 12  # months before the period a series' cadence is learnt from


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _monthly(first: str, last: str, division: Division | None = None) -> ObservationsWithGroup:
    qs = observations_with_group().filter(
        granularity=Observation.Granularity.MONTH,
        period_start__gte=month_start(first),
        period_start__lte=month_start(last),
        dimension="",
    )
    if division is not None:
        qs = qs.filter(in_division(division))
    return qs


def _platform_label(platform: str) -> str:
    return str(Account.Platform(platform).label) if platform in Account.Platform.values else platform


def total_mismatches(
    *, first_month: str, last_month: str, data: Slice | None = None, threshold_pct: float | None = None
) -> list[DataWarning]:
    """Every difference between a channel's reported total and its accounts' sum (from `data`, the report's
    slice, or one query); "major" beyond threshold_pct % of the total (and MISMATCH_ABSOLUTE), else "minor"."""
    data = data or Slice.load(first=first_month, last=last_month)
    share = MISMATCH_SHARE if threshold_pct is None else threshold_pct / 100
    names = dict(
        Metric.objects.exclude(aggregation__in=[Metric.Aggregation.UNIQUE, Metric.Aggregation.SCORE]).values_list(
            "slug", "name"
        )
    )
    months = set(months_between(first_month, last_month))
    # (platform, group pk or None for the channel, metric, month) -> (reported total, the accounts' sum)
    pairs: dict[tuple[str, int | None, str, str], tuple[float, float]] = {}
    for (platform, slug, month), total in data.channel_totals.items():
        cell = data.monthly(slug, platforms=[platform]).get(None, {}).get(month)
        if cell is not None:
            pairs[(platform, None, slug, month)] = (total, cell.value)
    if data.rows == "group":
        for (platform, group_pk, slug, month), total in data.group_totals.items():
            cell = data.monthly(slug, by="group", platforms=[platform]).get(group_pk, {}).get(month)
            if cell is not None:
                pairs[(platform, group_pk, slug, month)] = (total, cell.value)
    groups: dict[int | None, str] = dict(
        ReportingGroup.objects.filter(pk__in={g for _, g, _, _ in pairs if g}).values_list("pk", "name")
    )
    out = []
    for (platform, group, slug, month), (total, accounts) in sorted(
        pairs.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0, kv[0][2], kv[0][3])
    ):
        if slug not in names or month not in months or abs(total - accounts) < 1e-9:
            continue
        label, difference = _platform_label(platform), abs(total - accounts)
        whose = "the channel's reported total" if group is None else f"{groups.get(group, group)}'s reported total"
        major = difference > max(share * abs(total), MISMATCH_ABSOLUTE)
        more_or_fewer = "more" if accounts > total else "fewer"
        out.append(
            DataWarning(
                "total_mismatch",
                f"{label} {names[slug].lower()} for {month}: {whose} is {_fmt(total)} but its accounts add up to "
                f"{_fmt(accounts)} ({_fmt(difference)} {more_or_fewer}). The tables show the accounts' sum with the "
                "reported total beside it.",
                account=f"All {label} accounts"
                if group is None
                else f"{groups.get(group, group)}: all {label} accounts",
                metric=slug,
                month=month,
                severity="major" if major else "minor",
            )
        )
    return out


def groups_like_totals(*, first_month: str, last_month: str, data: Slice) -> list[DataWarning]:
    """A group whose figure equals the sum of two or more other groups' (one warning per group and metric)."""
    if data.rows != "group":
        return []
    names = dict(
        Metric.objects.exclude(aggregation__in=[Metric.Aggregation.UNIQUE, Metric.Aggregation.SCORE]).values_list(
            "slug", "name"
        )
    )
    months = set(months_between(first_month, last_month))
    found: dict[tuple[str, str, int], list[tuple[str, float]]] = defaultdict(list)
    for slug in names:
        for platform in {k for k in data.monthly(slug, by="platform") if isinstance(k, str)}:
            by_group = data.monthly(slug, by="group", platforms=[platform])
            for month in sorted(months):
                values = {
                    g: cells[month].value for g, cells in by_group.items() if month in cells and isinstance(g, int)
                }
                whole = sum(values.values())
                for group, value in values.items():
                    others = [v for g, v in values.items() if g != group and v]
                    if value > 0 and len(others) >= 2 and abs(value * 2 - whole) < 1e-9:
                        found[(platform, slug, group)].append((month, value))
    groups = dict(ReportingGroup.objects.filter(pk__in={g for _, _, g in found}).values_list("pk", "name"))
    return [
        DataWarning(
            "group_looks_like_total",
            f"{groups.get(group, group)}: its {_platform_label(platform)} {names[slug].lower()} equal the sum of the "
            f"other groups' in {', '.join(f'{m} ({_fmt(v)})' for m, v in hits)}. It looks like a total imported "
            "as a group, and counts twice in the total row: give a channel's total as its TOTAL account instead.",
            account=str(groups.get(group, group)),
            metric=slug,
            month=hits[0][0],
        )
        for (platform, slug, group), hits in sorted(found.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2])))
    ]


def cadence(months: list[str]) -> int:
    """A series' usual gap in months: the most common gap between its months, the shortest of equally common
    ones (Feb, Jun, Sep: 3). 1 for a series of one month."""
    gaps = [len(months_between(a, b)) - 1 for a, b in pairwise(months)]
    if not gaps:
        return 1
    counts = Counter(gaps)
    most = max(counts.values())
    return min(g for g, n in counts.items() if n == most)


def gaps_in(months: list[str], *, first_month: str, last_month: str) -> tuple[int, list[tuple[str, str]]]:
    """(cadence, [(first, last) missing month ranges within the period]) of a series' sorted months.

    A gap is missing figures when at least twice the cadence separates two figures (one figure late is not
    missing), or when the figure due a cadence after the last one fell in the period and never came. A series
    whose next figure was due before the period had ended before it: not a gap.
    """
    every = cadence(months)
    ranges = []
    for before, after in pairwise(months):
        if len(months_between(before, after)) - 1 >= 2 * every:
            start, end = max(month_shift(before, 1), first_month), min(month_shift(after, -1), last_month)
            if start <= end:
                ranges.append((start, end))
    latest = months[-1]
    due = month_shift(latest, every)
    if first_month <= due <= last_month:
        ranges.append((max(month_shift(latest, 1), first_month), last_month))
    return every, ranges


def _ranges_text(ranges: list[tuple[str, str]]) -> str:
    parts = [start if start == end else f"{start} to {end}" for start, end in ranges]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"


def missing_months(*, first_month: str, last_month: str, division: Division | None = None) -> list[DataWarning]:
    """One warning per series (account, group, metric) with a gap in its own cadence inside the period."""
    lookback = month_shift(first_month, -CADENCE_LOOKBACK)
    window = _monthly(lookback, last_month, division).filter(account__active=True)
    # A series with a figure every month from its first to the period's last has no gap: only the others'
    # months are read.
    spans = (
        window.values("account_id", "effective_group_id", "metric_id")
        .annotate(n=Count("id"), first=Min("period_start"), last=Max("period_start"))
        .order_by()
    )
    gappy = {
        (s["account_id"], s["effective_group_id"], s["metric_id"])
        for s in spans
        if s["n"] < len(months_between(month_of(s["first"]), last_month))
    }
    if not gappy:
        return []
    present: dict[tuple[int, int | None, int], list[str]] = defaultdict(list)
    rows = (
        window.filter(account_id__in={a for a, _, _ in gappy}, metric_id__in={m for _, _, m in gappy})
        .values_list("account_id", "effective_group_id", "metric_id", "period_start")
        .order_by("period_start")
    )
    for account_id, group_id, metric_id, start in rows:
        if (account_id, group_id, metric_id) in gappy:
            present[(account_id, group_id, metric_id)].append(month_of(start))
    accounts = {a.pk: a for a in Account.objects.filter(pk__in={a for a, _, _ in gappy})}
    metrics = {m.pk: m for m in Metric.objects.filter(pk__in={m for _, _, m in gappy})}
    groups: dict[int | None, str] = dict(
        ReportingGroup.objects.filter(pk__in={g for _, g, _ in gappy if g}).values_list("pk", "name")
    )
    out = []
    for (account_id, group_id, metric_id), months in present.items():
        every, ranges = gaps_in(months, first_month=first_month, last_month=last_month)
        if not ranges:
            continue
        account, metric = accounts[account_id], metrics[metric_id]
        # An account that carries several groups' figures names the group whose series it is.
        label = str(account) if group_id == account.group_id else f"{account} ({groups.get(group_id, 'no group')})"
        usually = "every month" if every == 1 else f"every {every} months"
        out.append(
            DataWarning(
                "missing_month",
                f"{label}: no {metric.name.lower()} figure for {_ranges_text(ranges)} (its figures usually come "
                f"{usually}).",
                account=label,
                metric=metric.slug,
                month=ranges[0][0],
            )
        )
    return sorted(out, key=lambda w: (w.account, w.metric))


def implausible_jumps(*, first_month: str, last_month: str, division: Division | None = None) -> list[DataWarning]:
    # The comparison with the month before runs in SQL (a window function), so only the few flagged rows come
    # back; whether "the row before" really is the month before is checked on those.
    partition, order = [F("account_id"), F("effective_group_id"), F("metric_id")], F("period_start").asc()
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
    *,
    first_month: str,
    last_month: str,
    division: Division | None = None,
    data: Slice | None = None,
    threshold_pct: float | None = None,
) -> list[DataWarning]:
    """Every data-quality warning for the period (optionally only a division's accounts).

    Channel totals and ungrouped accounts belong to no division, so a division's report leaves those out.
    `threshold_pct` sets when a reported total's difference from its accounts is "major" (default 1%).
    """
    first, last = first_month, last_month
    data = data or Slice.load(first=first, last=last, division=division)
    totals = total_mismatches(first_month=first, last_month=last, data=data, threshold_pct=threshold_pct)
    return [
        *(totals if division is None else []),
        *groups_like_totals(first_month=first, last_month=last, data=data),
        *missing_months(first_month=first, last_month=last, division=division),
        *implausible_jumps(first_month=first, last_month=last, division=division),
        *(ungrouped_accounts(first_month=first, last_month=last) if division is None else []),
        *not_additive(first_month=first, last_month=last, division=division),
    ]
