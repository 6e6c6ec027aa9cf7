"""Demo engagement figures: two years of monthly observations for the force's channel accounts, so the
insights dashboard and the board report have history to show.

Generated, deterministic (its own seed, so other demo steps do not shift it) and idempotent: figures are
upserted on (account, metric, month, dimension). The months end with the last complete month, so the demo
always looks current. One month of the Facebook channel total is left 3% off the sum of its pages, and one
account has no group, so the data-quality warnings have something real to say.

Accounts and reporting groups are the demo's own: beside a force's own "All Facebook accounts" or "Corporate"
group the demo's are called "All Facebook accounts (demo)" and "Corporate (demo)", so no real figure is ever
overwritten.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.utils.text import slugify

from openbeat.areas.models import Division
from openbeat.core.months import last_complete_month, month_shift, month_start, months_between
from openbeat.demo.registry import DEMO_SUFFIXES, demo_delete, demo_keyed, demo_label, demo_tag, demo_unused
from openbeat.insights.catalogue import metrics_sync
from openbeat.insights.models import Account, Metric, Observation, ReportingGroup

MONTHS = 24
P = Account.Platform
SOCIAL_METRICS = ("followers", "reach", "impressions", "engagements", "video_views", "link_clicks", "shares",
                  "comments", "posts")  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    platform: str
    name: str
    group: str | None  # a division name, another group's name, or None (to show the warning)
    followers: int  # at the start of the two years
    growth: float  # monthly growth of followers


def _accounts(divisions: list[str]) -> list[DemoAccount]:
    accounts = [
        DemoAccount(P.FACEBOOK, "Demoshire Police", "Corporate", 180_000, 0.008),
        DemoAccount(P.FACEBOOK, "Demoshire Roads Policing", "Specialist", 24_000, 0.012),
        DemoAccount(P.X, "@DemoshirePolice", "Corporate", 95_000, 0.002),
        DemoAccount(P.INSTAGRAM, "demoshirepolice", "Corporate", 21_000, 0.015),
        DemoAccount(P.INSTAGRAM, "demoshirecadets", "Cadets", 2_400, 0.02),
        DemoAccount(P.YOUTUBE, "Demoshire Police", "Corporate", 3_100, 0.01),
        DemoAccount(P.X, "@DemoshireDogs", None, 8_000, 0.006),
    ]
    for n, division in enumerate(divisions):
        accounts.append(DemoAccount(P.FACEBOOK, f"{division} Demoshire Police", division, 14_000 + 4_000 * n, 0.01))
        accounts.append(DemoAccount(P.X, f"@{division}DemoPolice", division, 6_000 + 1_500 * n, 0.003))
    return accounts


class _Writer:
    def __init__(self) -> None:
        metrics_sync()
        self.metrics = {m.slug: m for m in Metric.objects.all()}
        self.rows: list[Observation] = []

    def add(self, account: Account, metric: str, month: str, value: float, dimension: str = "") -> None:
        row = Observation(account=account, metric=self.metrics[metric], granularity="month",
                          period_start=month_start(month), dimension=dimension, value=round(value))  # fmt: skip
        self.rows.append(row)

    def save(self) -> int:
        Observation.objects.bulk_create(
            self.rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["account", "group_key", "metric", "granularity", "period_start", "dimension"],
            update_fields=["value"],
        )
        return len(self.rows)


def _group(mine: dict[str, ReportingGroup], name: str, **values: object) -> ReportingGroup:
    """The demo's reporting group `name` (its own name for it), made if need be, with `values`."""
    group = mine.get(name)
    if group is None:
        option = demo_unused(ReportingGroup, ({"name": name + s, "slug": slugify(name + s)} for s in DEMO_SUFFIXES))
        group = ReportingGroup.objects.create(**option, **values)
        demo_tag(objs=[group], key=name)
    elif any(getattr(group, field) != value for field, value in values.items()):
        ReportingGroup.objects.filter(pk=group.pk).update(**values)
    return group


def _groups(divisions: list[tuple[str, Division]]) -> dict[str, ReportingGroup]:
    mine = demo_keyed(ReportingGroup.objects.all())
    groups = {}
    for order, (name, division) in enumerate(divisions):
        groups[name] = _group(mine, name, division=division, sort_order=order)
    for order, name in enumerate(("Corporate", "Specialist", "Cadets"), start=len(divisions)):
        groups[name] = mine.get(name) or _group(mine, name, sort_order=order)
    return groups


def _account(mine: dict[str, Account], platform: str, name: str, **values: object) -> Account:
    """The demo's account `name` on `platform` (its own name for it), made if need be, with `values`."""
    key = f"{platform}:{name}"
    account = mine.get(key)
    if account is None:
        option = demo_unused(Account, ({"platform": platform, "name": name + s} for s in DEMO_SUFFIXES), together=True)
        account = Account.objects.create(**option, **values)
        demo_tag(objs=[account], key=key)
        mine[key] = account
    elif any(getattr(account, field) != value for field, value in values.items()):
        Account.objects.filter(pk=account.pk).update(**values)
    return account


def step_insights(ctx: object = None) -> str:
    from openbeat.demo.steps import demo_divisions

    rng = random.Random("openbeat-demo-insights")
    divisions = sorted(demo_divisions().items())
    groups = _groups(divisions)
    accounts = demo_keyed(Account.objects.all())
    last = last_complete_month()
    months = months_between(month_shift(last, 1 - MONTHS), last)
    writer = _Writer()
    facebook_sums = dict.fromkeys(months, 0.0)
    for spec in _accounts([name for name, _ in divisions]):
        account = _account(accounts, spec.platform, spec.name, group=groups.get(spec.group) if spec.group else None)
        followers = float(spec.followers)
        for month in months:
            followers *= 1 + spec.growth + rng.uniform(-0.003, 0.003)
            seasonal = 1.25 if month.endswith(("-11", "-12")) else 1.0
            reach = followers * rng.uniform(0.6, 1.6) * seasonal
            engagements = reach * rng.uniform(0.03, 0.07)
            values = {
                "followers": followers, "reach": reach, "impressions": reach * rng.uniform(1.8, 2.6),
                "engagements": engagements, "video_views": reach * rng.uniform(0.1, 0.3),
                "link_clicks": engagements * rng.uniform(0.1, 0.2), "shares": engagements * rng.uniform(0.05, 0.1),
                "comments": engagements * rng.uniform(0.04, 0.09), "posts": rng.randint(20, 60),
            }  # fmt: skip
            for metric in SOCIAL_METRICS:
                writer.add(account, metric, month, values[metric])
            if spec.platform == P.FACEBOOK:
                facebook_sums[month] += round(followers)
    total = _account(accounts, P.FACEBOOK, "All Facebook accounts", is_channel_total=True, group=None)
    for k, month in enumerate(months):
        # One month reported 3% high by the platform summary: the warning shows what the check is for.
        writer.add(total, "followers", month, facebook_sums[month] * (1.03 if k == MONTHS - 4 else 1.0))
    site = _account(accounts, P.WEBSITE, "www.demoshire.police.example", group=groups["Corporate"])
    _website(writer, site, months, rng)
    _activities(writer, accounts, groups, divisions, months, rng)
    return f"{writer.save():,} figures over {MONTHS} months"


def _website(writer: _Writer, site: Account, months: list[str], rng: random.Random) -> None:
    devices = {"device:mobile": 0.68, "device:desktop": 0.27, "device:tablet": 0.05}
    sources = {"source:organic": 0.46, "source:social": 0.24, "source:direct": 0.22, "source:referral": 0.08}
    for k, month in enumerate(months):
        sessions = 210_000 * (1 + 0.01 * k) * rng.uniform(0.9, 1.1)
        users = sessions * rng.uniform(0.62, 0.7)
        writer.add(site, "sessions", month, sessions)
        writer.add(site, "users", month, users)
        writer.add(site, "pageviews", month, sessions * rng.uniform(2.1, 2.6))
        for shares in (devices, sources):
            for dimension, share in shares.items():
                writer.add(site, "sessions", month, sessions * share, dimension)


def _activities(writer: _Writer, accounts: dict[str, Account], groups: dict[str, ReportingGroup],
                divisions: list[tuple[str, Division]], months: list[str], rng: random.Random) -> None:  # fmt: skip
    for name, _ in divisions:
        account = _account(accounts, P.OTHER, f"{name} events and PACT", group=groups[name])
        for month in months:
            events = rng.randint(3, 12)
            writer.add(account, "events_held", month, events)
            writer.add(account, "event_attendance", month, events * rng.randint(15, 60))
            pact = rng.randint(2, 6)
            writer.add(account, "pact_meetings", month, pact)
            writer.add(account, "pact_attendance", month, pact * rng.randint(8, 30))
            if rng.random() < 0.3:
                writer.add(account, "surveys_run", month, 1)
                writer.add(account, "survey_responses", month, rng.randint(80, 600))
    cip = _account(accounts, P.OTHER, "Citizens in Policing", group=groups["Corporate"])
    levels = {"special_constables": 310.0, "cadets": 420.0, "volunteers": 180.0, "nhw_schemes": 1_150.0}
    for month in months:
        for metric in levels:
            levels[metric] *= 1 + rng.uniform(-0.01, 0.015)
            writer.add(cip, metric, month, levels[metric])


def insights_reset() -> int:
    """Remove the demo's accounts (with their figures) and reporting groups; the force's own stay."""
    removed = demo_delete(models_to_delete=[Account, ReportingGroup])["removed"]
    return removed.get(demo_label(Account), 0) + removed.get(demo_label(ReportingGroup), 0)
