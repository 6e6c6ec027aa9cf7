#!/usr/bin/env python
"""The board report and the insights dashboard over 10,000,000 observations, each beside a bare baseline.

Builds the demo force's divisions (plus more, so 12 of the 40 reporting groups are divisions), ~4,000 channel
accounts and N generated `insights.Observation` rows in a throwaway SQLite database, or in PostgreSQL with
--database-url (emptied!). The rows are written by INSERT ... SELECT in SQL, in key order, month rows first:

  - month rows, 24 months ending with the last complete month: every social account's 10 standard metrics plus
    followers by age band (7 dimensions); every website's sessions, users and page views plus sessions by
    device (3) and source (5), page views and users by device; In the Know registered users; the 10 hand-entered
    metrics (events, PACT, Citizens in Policing) for "other" accounts; one channel-total account per platform
    whose figures are the sum of its accounts' (so the total-vs-accounts check has real work and no warnings);
  - day rows for the rest of the volume: followers, reach, impressions, engagements, posts per social account
    and sessions, users, page views per website, for the most recent days (as the daily exports give them).

Then, best of --repeat:

  1. `report_build` for the last quarter (compared with the quarter before) on the whole force (target < 5 s),
     beside the bare aggregate SQL the report fundamentally needs: one GROUP BY (platform, group, metric, month,
     dimension) over the 12 months of month rows it reads, raw cursor;
  2. the dashboard's first load: a test Client GET of insights_staff:dashboard as a force-wide board viewer with
     every Django cache cleared before each run (target < 1 s), beside the same bare SQL over the dashboard's
     months and a bare Django view (GET /admin/login/: no trivial view is mounted);
  3. rendering the report as HTML and XLSX (no targets).

    .venv/bin/python benchmarks/insights.py [--observations 10000000] [--accounts 4000] [--repeat 3]
        [--database-url postgres://...] [--keep DIR] [--profile]
"""

from __future__ import annotations

import argparse
import datetime
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audience import best_of, setup_django

GROUPS = 40
DIVISION_GROUPS = 12
UNGROUPED = 10  # accounts without a group, so the "ungrouped account" warning has something to find
MONTHS = 24
DAYS = 730
SOCIAL_MONTH = ["followers", "reach", "impressions", "engagements", "video_views", "link_clicks", "shares",
                "comments", "mentions", "posts"]  # fmt: skip
SOCIAL_DAY = ["followers", "reach", "impressions", "engagements", "posts"]
AGES = ["13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
DEVICES = ["mobile", "desktop", "tablet"]
SOURCES = ["organic", "social", "direct", "referral", "email"]
HAND_METRICS = ["events_held", "event_attendance", "pact_meetings", "pact_attendance", "surveys_run",
                "survey_responses", "special_constables", "cadets", "volunteers", "nhw_schemes"]  # fmt: skip
STOCKS = {"followers", "registered_users", "special_constables", "cadets", "volunteers", "nhw_schemes"}
# Shares of the accounts per platform (the rest are "other": hand-entered figures).
PLATFORM_SHARES = [("facebook", 0.30), ("x", 0.25), ("instagram", 0.20), ("youtube", 0.075), ("website", 0.075),
                   ("itk", 0.01)]  # fmt: skip


def month_series(platform: str) -> list[tuple[str, str]]:
    """(metric slug, dimension) of the monthly series an account of `platform` has."""
    if platform in ("facebook", "x", "instagram", "youtube"):
        return [(m, "") for m in SOCIAL_MONTH] + [("followers", f"age:{a}") for a in AGES]
    if platform == "website":
        return [
            *[(m, "") for m in ("sessions", "users", "pageviews")],
            *[("sessions", f"device:{d}") for d in DEVICES],
            *[("sessions", f"source:{s}") for s in SOURCES],
            *[("pageviews", f"device:{d}") for d in DEVICES],
            *[("users", f"device:{d}") for d in DEVICES],
        ]
    if platform == "itk":
        return [("registered_users", "")]
    return [(m, "") for m in HAND_METRICS]


def day_series(platform: str) -> list[str]:
    if platform in ("facebook", "x", "instagram", "youtube"):
        return SOCIAL_DAY
    return ["sessions", "users", "pageviews"] if platform == "website" else []


def platform_of(index: int, accounts: int) -> str:
    edge = 0.0
    for platform, share in PLATFORM_SHARES:
        edge += share
        if index < edge * accounts:
            return platform
    return "other"


def build_structure(accounts: int) -> None:
    """Divisions (the demo force's and more), 40 reporting groups and the accounts, with the ORM (small)."""
    from openbeat.areas.services import division_get_or_create
    from openbeat.demo.steps import demo_context, step_force, step_geography
    from openbeat.insights.catalogue import metrics_sync
    from openbeat.insights.models import Account, ReportingGroup

    ctx = demo_context()
    step_force(ctx)
    step_geography(ctx)
    metrics_sync()
    divisions = [division_get_or_create(name=n) for n in ("West", "Central", "East")]
    divisions += [division_get_or_create(name=f"Division {n}") for n in range(4, DIVISION_GROUPS + 1)]
    groups = [
        ReportingGroup.objects.create(name=d.name, slug=d.code, division=d, sort_order=n)
        for n, d in enumerate(divisions)
    ]
    groups += [
        ReportingGroup.objects.create(name=f"Team {n}", slug=f"team-{n}", sort_order=n)
        for n in range(len(groups), GROUPS)
    ]
    rows = [
        Account(
            platform=platform_of(i, accounts),
            name=f"Account {i:05d}",
            group=None if i % (accounts // UNGROUPED or 1) == 1 else groups[i % GROUPS],
        )
        for i in range(accounts)
    ]
    Account.objects.bulk_create(rows, batch_size=1000)
    totals = {p for p, _ in PLATFORM_SHARES} - {"itk"}
    Account.objects.bulk_create(
        [Account(platform=p, name=f"All {p} accounts", is_channel_total=True) for p in sorted(totals)]
    )


def plan(accounts: int, observations: int) -> tuple[list[tuple], int, int]:
    """The series to write: (account id, metric id, granularity, dimension, base, count), month and day rows."""
    from openbeat.insights.models import Account, Metric

    metric_ids = dict(Metric.objects.values_list("slug", "pk"))
    ordinary = list(Account.objects.filter(is_channel_total=False).order_by("pk").values_list("pk", "platform"))
    series: list[tuple] = []
    for pk, platform in ordinary:
        for slug, dimension in month_series(platform):
            base = 1000.0 + (pk * 7919 + metric_ids[slug] * 104729 + len(dimension) * 13) % 50_000
            series.append((pk, metric_ids[slug], "month", dimension, base, MONTHS))
    month_rows = len(series) * MONTHS
    day_combos = [(pk, metric_ids[slug]) for pk, platform in ordinary for slug in day_series(platform)]
    remaining = max(0, observations - month_rows)
    days, extra = divmod(remaining, len(day_combos)) if day_combos else (0, 0)
    if days >= DAYS:
        days, extra = DAYS, 0
    day_rows = 0
    for n, (pk, metric) in enumerate(day_combos):
        count = days + (1 if n < extra else 0)
        if count:
            series.append((pk, metric, "day", "", 30.0 + (pk * 31 + metric * 17) % 2000, count))
            day_rows += count
    # Key order, so the unique index is appended to rather than split.
    series.sort(key=lambda s: (s[0], s[1], s[2], s[3]))
    return series, month_rows, day_rows


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """The table's indexes other than those backing the primary key and unique constraints: (name, DDL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
                "AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
        return list(cursor.fetchall())


def generate(accounts: int, observations: int) -> None:
    from django.db import connection, transaction

    from openbeat.core.months import last_complete_month, month_ends_at, month_shift, month_start
    from openbeat.insights.models import Account, Observation

    last = last_complete_month()
    months = [("month", month_start(month_shift(last, -i)), MONTHS - 1 - i) for i in range(MONTHS)]
    last_day = month_ends_at(last).date() - datetime.timedelta(days=1)
    days = [("day", last_day - datetime.timedelta(days=i), DAYS - 1 - i) for i in range(DAYS)]

    started = time.perf_counter()
    build_structure(accounts)
    series, month_rows, day_rows = plan(accounts, observations)
    print(
        f"  plan: {len(series):,} series, {month_rows:,} month rows + {day_rows:,} day rows "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    table = Observation._meta.db_table
    indexes = _secondary_indexes(table)
    pg = connection.vendor == "postgresql"
    now = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC) if pg else "2026-11-01 00:00:00"
    # Growth: stocks grow ~1% a month (from the period index i), flows wobble; values stay plausible (no jumps).
    value = (
        "CASE WHEN s.stock = 1 THEN s.base * (1.0 + 0.01 * p.i) "
        "ELSE s.base * (0.9 + ((s.account_id * 13 + p.i * 7) %% 20) / 100.0) END"
    )
    with connection.cursor() as cursor:
        if not pg:
            # Loading only: the file is thrown away (or kept with --keep) if the machine dies mid-way.
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-262144")
        temp = "TEMPORARY " if pg else "TEMP "
        cursor.execute(
            f"CREATE {temp}TABLE bench_series (account_id integer, metric_id integer, granularity varchar(5), "
            "dimension varchar(80), base double precision, n integer, stock integer)"
        )
        cursor.execute(f"CREATE {temp}TABLE bench_period (granularity varchar(5), period_start date, i integer)")
        cursor.executemany("INSERT INTO bench_period VALUES (%s, %s, %s)", months + days)
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    from openbeat.insights.models import Metric

    stock_ids = set(Metric.objects.filter(aggregation=Metric.Aggregation.STOCK).values_list("pk", flat=True))
    written = 0

    def write(part: list[tuple]) -> None:
        nonlocal written
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM bench_series")
            cursor.executemany(
                "INSERT INTO bench_series VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(*s, 1 if s[1] in stock_ids else 0) for s in part],
            )
            # p.i >= top - n: each series' most recent n periods (all 24 months; the latest days).
            cursor.execute(
                f"INSERT INTO {table} (account_id, metric_id, granularity, period_start, dimension, value, "  # noqa: S608
                f"updated_at) SELECT s.account_id, s.metric_id, s.granularity, p.period_start, s.dimension, "
                f"ROUND({value}), %s FROM bench_series s JOIN bench_period p ON p.granularity = s.granularity "
                f"AND p.i >= (CASE WHEN s.granularity = 'month' THEN {MONTHS} ELSE {DAYS} END) - s.n "
                "ORDER BY s.account_id, s.metric_id, s.granularity, s.dimension, p.period_start",
                [now],
            )
            written += sum(s[5] for s in part)
        print(f"  generated {written:,} observations ({time.perf_counter() - started:.0f} s)", flush=True)

    # Month rows first, so the channel totals below aggregate 1.5M rows rather than 10M.
    chunk = max(1, len(series) // 40)
    monthly = [s for s in series if s[2] == "month"]
    for lo in range(0, len(monthly), chunk):
        write(monthly[lo : lo + chunk])
    # The channels' own totals: the sum of their accounts, so they agree (the check still runs over them).
    with transaction.atomic(), connection.cursor() as cursor:
        account = Account._meta.db_table
        cursor.execute(
            f"INSERT INTO {table} (account_id, metric_id, granularity, period_start, dimension, value, updated_at) "  # noqa: S608
            f"SELECT t.id, o.metric_id, o.granularity, o.period_start, o.dimension, SUM(o.value), %s "
            f"FROM {table} o JOIN {account} a ON a.id = o.account_id "
            f"JOIN {account} t ON t.platform = a.platform AND t.is_channel_total = %s "
            f"WHERE o.granularity = 'month' AND o.dimension = '' AND a.is_channel_total = %s "
            "GROUP BY t.id, o.metric_id, o.granularity, o.period_start, o.dimension",
            [now, True, False],
        )
        print(f"  channel totals: {cursor.rowcount:,} observations ({time.perf_counter() - started:.0f} s)")
    daily = [s for s in series if s[2] == "day"]
    for lo in range(0, len(daily), chunk):
        write(daily[lo : lo + chunk])
    with connection.cursor() as cursor:
        for _, ddl in indexes:
            cursor.execute(ddl)
        print(f"  {len(indexes)} secondary indexes rebuilt ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("DROP TABLE bench_series")
        cursor.execute("DROP TABLE bench_period")
    if pg:
        # VACUUM too: a freshly loaded table has no visibility map, so no index-only scans until autovacuum.
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(f"ANALYZE {Account._meta.db_table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("ANALYZE")
    print(f"  generation took {time.perf_counter() - started:.0f} s", flush=True)


def bare_aggregate(first: str, last: str):
    """The one aggregate the report (or dashboard) fundamentally needs, as plain SQL on a raw cursor."""
    from django.db import connection

    from openbeat.core.months import month_start
    from openbeat.insights.models import Account, Observation

    sql = (
        "SELECT a.platform, a.group_id, o.metric_id, o.period_start, o.dimension, SUM(o.value), COUNT(*) "  # noqa: S608
        f"FROM {Observation._meta.db_table} o JOIN {Account._meta.db_table} a ON a.id = o.account_id "
        "WHERE o.granularity = 'month' AND o.period_start BETWEEN %s AND %s AND a.is_channel_total = %s "
        "AND (o.dimension = '' OR o.dimension LIKE 'device:%%' OR o.dimension LIKE 'source:%%') "
        "GROUP BY a.platform, a.group_id, o.metric_id, o.period_start, o.dimension"
    )
    params = [month_start(first), month_start(last), False]

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def verdict(seconds: float, target: float) -> str:
    return f"target < {target:g} s: {'met' if seconds < target else 'MISSED'}"


def board_viewer():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from openbeat.staff import roles
    from openbeat.staff.models import StaffProfile

    roles.roles_sync()
    user, _ = get_user_model().objects.get_or_create(username="bench-board", defaults={"email": "b@police.example"})
    user.groups.add(Group.objects.get(name=roles.BOARD_VIEWER))
    StaffProfile.objects.update_or_create(user=user, defaults={"division": None})
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--observations", type=int, default=10_000_000)
    parser.add_argument("--accounts", type=int, default=4_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/openbeat_bench (emptied!)")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="build the data once and reuse it on later runs (SQLite: in DIR; PostgreSQL: left in the database)",
    )
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one report_build")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="openbeat-bench-") as scratch:
        tmp = args.keep or scratch
        # STATIC_ROOT: WhiteNoise warns when it is missing.
        (Path(tmp) / "static").mkdir(parents=True, exist_ok=True)
        setup_django(tmp, args.database_url, flush=not args.keep)
        from django.core.management import call_command
        from django.db import connection

        from openbeat.insights.models import Account, Observation

        reuse = bool(args.keep) and Account.objects.filter(is_channel_total=False).count() == args.accounts
        if args.keep and not reuse:
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", verbosity=0)
        if not reuse:
            print(f"{connection.vendor}: generating ~{args.observations:,} observations for {args.accounts:,} accounts")
            generate(args.accounts, args.observations)
        count = Observation.objects.count()
        months = Observation.objects.filter(granularity="month").count()
        print(
            f"{count:,} observations ({months:,} month rows, {count - months:,} day rows), "
            f"{Account.objects.count():,} accounts; best of {args.repeat}",
            flush=True,
        )

        from django.conf import settings
        from django.core.cache import caches
        from django.test import Client
        from django.test.utils import override_settings, setup_test_environment
        from django.urls import reverse

        from openbeat.core.months import last_complete_month, month_shift
        from openbeat.insights.build import report_build
        from openbeat.insights.kpis import comparison_for
        from openbeat.insights.render.html import render_html
        from openbeat.insights.render.xlsx import render_xlsx

        # 1. The board report for the last quarter, compared with the quarter before.
        last = last_complete_month()
        first = month_shift(last, -2)
        compare_from, _ = comparison_for(first, last)
        earliest = min(compare_from, month_shift(last, -11))
        seconds, report = best_of(args.repeat, lambda: report_build(period_from=first, period_to=last))
        bare_seconds, rows = best_of(args.repeat, bare_aggregate(earliest, last))
        tables = sum(len(s.tables) for s in report.sections)
        print(
            f"  report_build {first}..{last} vs {compare_from}..: {seconds:.3f} s ({len(report.sections)} sections, "
            f"{tables} tables, {len(report.warnings)} warnings) | bare aggregate SQL {earliest}..{last} "
            f"{bare_seconds:.3f} s ({len(rows):,} groups) | ratio bare/project {bare_seconds / seconds:.2f} | "
            f"{verdict(seconds, 5)}",
            flush=True,
        )
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(report_build, period_from=first, period_to=last)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)

        # 2. The dashboard's first load (default period: the last 3 complete months).
        setup_test_environment()
        # As the tests do: no collectstatic manifest in a scratch directory.
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        ).enable()
        client = Client()
        client.force_login(board_viewer())
        url = reverse("insights_staff:dashboard")

        def dashboard():
            for cache in caches.all():
                cache.clear()
            response = client.get(url, secure=True)
            assert response.status_code == 200, response.status_code
            return response

        start = time.perf_counter()
        dashboard()
        cold = time.perf_counter() - start
        seconds, _ = best_of(args.repeat, dashboard)
        bare_seconds, _ = best_of(args.repeat, bare_aggregate(month_shift(last, -11), last))
        login = Client()
        view_seconds, _ = best_of(args.repeat, lambda: login.get("/admin/login/", secure=True))
        print(
            f"  dashboard first load: {seconds:.3f} s (first request in this process {cold:.3f} s) | bare aggregate "
            f"SQL over its 12 months {bare_seconds:.3f} s | bare Django view (GET /admin/login/) "
            f"{view_seconds:.3f} s | ratio (bare SQL + bare view)/project {(bare_seconds + view_seconds) / seconds:.2f}"
            f" | {verdict(seconds, 1)}",
            flush=True,
        )

        # 3. Rendering (no targets).
        html_seconds, html = best_of(args.repeat, lambda: render_html(report))
        xlsx_seconds, xlsx = best_of(args.repeat, lambda: render_xlsx(report))
        print(
            f"  render_html {html_seconds:.3f} s ({len(html) // 1024:,} KiB) | render_xlsx {xlsx_seconds:.3f} s "
            f"({len(xlsx) // 1024:,} KiB)",
            flush=True,
        )


if __name__ == "__main__":
    main()
