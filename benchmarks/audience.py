#!/usr/bin/env python
"""Audience resolution at scale: alerts.audience.audience_resolve beside the bare query over the same data.

Builds the demo force's geography, then N generated subscribers spread over its postcodes (each with a home
and, for a quarter of them, a second watched area), in a throwaway SQLite database, or in PostgreSQL with
--database-url. Then, best of --repeat:

  1. an alert to 50 neighbourhoods and 2 interests (targets: < 0.5 s at 1M on SQLite, < 3 s at 10M on PostgreSQL),
     beside the bare SQL query that selects the same subscribers;
  2. a hand-drawn polygon of ~50 vertices (target: < 1 s at 1M), beside a bare shapely.contains_xy over every
     subscriber's point.

    .venv/bin/python benchmarks/audience.py [--subscribers 1000000] [--repeat 3] [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def setup_django(tmp: str, database_url: str | None, *, flush: bool = True) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["OPENBEAT_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.settings")
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    if database_url and flush:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)


def best_of(repeat: int, func):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def generate(count: int) -> None:
    import numpy as np
    from django.db import connection, transaction

    from openbeat.areas.models import Postcode
    from openbeat.subscriptions.models import Subscriber, WatchedArea

    rng = np.random.default_rng(7)
    postcodes = list(
        Postcode.objects.filter(neighbourhood__isnull=False).values_list("postcode", "lat", "lon", "neighbourhood")
    )
    picks = rng.integers(0, len(postcodes), size=count)
    bits = np.zeros(count, dtype=np.int64)
    for bit in range(15):
        bits |= (rng.random(count) < 0.3).astype(np.int64) << bit
    email = rng.random(count) < 0.9
    sms = rng.random(count) < 0.2
    status = np.where(rng.random(count) < 0.95, "active", "paused")
    sub = Subscriber._meta.db_table
    area = WatchedArea._meta.db_table
    now = "2026-11-01 00:00:00"
    batch = 100_000
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for lo in range(0, count, batch):
            hi = min(lo + batch, count)
            rows = [
                (
                    i + 1,
                    f"{i:032x}",
                    f"s{i}@example.com" if email[i] else None,
                    now if email[i] else None,
                    "+447700900123" if sms[i] else None,
                    now if sms[i] else None,
                    str(status[i]),
                    "en",
                    int(bits[i]),
                    postcodes[picks[i]][3],
                    True,
                    True,
                    bool(sms[i]),
                    False,
                    0,
                    2,
                    False,
                    "bench",
                    now,
                )
                for i in range(lo, hi)
            ]
            sub_columns = (
                "id, public_id, email, email_confirmed_at, phone, phone_verified_at, status, language, "
                "interest_bits, home_neighbourhood_id, email_day, email_night, sms_day, sms_night, "
                "email_min_priority, sms_min_priority, email_stopped, source, created_at"
            )
            area_rows = []
            for i in range(lo, hi):
                code, lat, lon, nbh = postcodes[picks[i]]
                area_rows.append((i + 1, nbh, code, lat, lon, True, ""))
                if i % 4 == 0:
                    code, lat, lon, nbh2 = postcodes[(picks[i] * 7919 + 13) % len(postcodes)]
                    if nbh2 != nbh:
                        area_rows.append((i + 1, nbh2, code, lat, lon, False, "work"))
            area_columns = "subscriber_id, neighbourhood_id, postcode, lat, lon, is_home, label"
            if connection.vendor == "postgresql":
                # COPY: ~10x executemany on PostgreSQL, which matters at 10M subscribers.
                raw = cursor.cursor
                with raw.copy(f"COPY {sub} ({sub_columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                with raw.copy(f"COPY {area} ({area_columns}) FROM STDIN") as copy:
                    for row in area_rows:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {sub} ({sub_columns}) VALUES ({', '.join(['%s'] * 19)})",  # noqa: S608
                    rows,
                )
                cursor.executemany(
                    f"INSERT INTO {area} ({area_columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
                    area_rows,
                )
            print(f"  generated {hi:,} subscribers ({time.perf_counter() - started:.0f} s)", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{sub}', 'id'), {count})")
        # VACUUM too: a freshly loaded table has no visibility map, so no index-only scans until autovacuum.
        for table in (sub, area):
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def drawn_polygon(centre: tuple[float, float], vertices: int = 50):
    """A hand-drawn-looking polygon: ~50 vertices at irregular radii around a centre (about 5 km across)."""
    rng = random.Random(3)
    points = []
    for k in range(vertices):
        angle = 2 * math.pi * k / vertices
        r = 0.03 * (0.7 + 0.6 * rng.random())
        points.append([centre[0] + r * 1.6 * math.cos(angle), centre[1] + r * math.sin(angle)])
    points.append(points[0])
    return {"type": "Polygon", "coordinates": [points]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/openbeat_bench (emptied!)")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="build the data once and reuse it on later runs (SQLite: in DIR; PostgreSQL: left in the database)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="openbeat-bench-") as scratch:
        tmp = args.keep or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        setup_django(tmp, args.database_url, flush=not args.keep)
        from openbeat.subscriptions.models import Subscriber

        reuse = bool(args.keep) and Subscriber.objects.count() == args.subscribers
        if args.keep and args.database_url and not reuse:
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)
        import numpy as np
        import shapely
        from django.db import connection

        from openbeat.alerts.audience import AreaSet, SetRule, TargetingSpec, audience_resolve, geometry_of
        from openbeat.areas.models import Neighbourhood
        from openbeat.demo.steps import demo_context, step_force, step_geography, step_postcodes
        from openbeat.subscriptions.models import Interest, Subscriber, WatchedArea

        if not reuse:
            ctx = demo_context()
            for step in (step_force, step_geography, step_postcodes):
                step(ctx)
            print(f"{connection.vendor}: generating {args.subscribers:,} subscribers over the demo force")
            generate(args.subscribers)
        areas = WatchedArea.objects.count()
        print(
            f"{Subscriber.objects.count():,} subscribers, {areas:,} watched areas, "
            f"{Neighbourhood.objects.count()} neighbourhoods; best of {args.repeat}"
        )

        # 1. Fifty neighbourhoods and two interests.
        fifty = list(Neighbourhood.objects.order_by("code").values_list("pk", flat=True)[:50])
        interests = frozenset(Interest.objects.filter(kind="topic").order_by("bit").values_list("slug", flat=True)[:2])
        spec = TargetingSpec(
            areas=AreaSet(neighbourhoods=frozenset(fifty)),
            topics=SetRule(include=interests),
            channels=frozenset({"email"}),
        )
        seconds, audience = best_of(args.repeat, lambda: audience_resolve(spec))
        mask = sum(1 << b for b in Interest.objects.filter(slug__in=interests).values_list("bit", flat=True))
        placeholders = ", ".join(["%s"] * len(fifty))
        rules = (
            "s.status = 'active' AND (s.interest_bits & %s) != 0 AND s.email IS NOT NULL "
            "AND s.email_confirmed_at IS NOT NULL AND s.email_stopped = %s AND (s.email_day OR s.email_night)"
        )
        extra = (
            f"SELECT w.subscriber_id FROM {WatchedArea._meta.db_table} w "  # noqa: S608
            f"WHERE w.is_home = %s AND w.neighbourhood_id IN ({placeholders})"
        )
        if connection.vendor == "postgresql":
            # The plain OR below takes minutes on PostgreSQL at 10M (a subplan rescanned per row): the UNION of
            # the two sides is the best plain SQL for it.
            bare_sql = (
                f"SELECT s.id FROM {Subscriber._meta.db_table} s WHERE {rules} "  # noqa: S608
                f"AND s.home_neighbourhood_id IN ({placeholders}) UNION "
                f"SELECT s.id FROM {Subscriber._meta.db_table} s WHERE {rules} AND s.id IN ({extra})"
            )
            bare_params = [mask, False, *fifty, mask, False, False, *fifty]
        else:
            bare_sql = (
                f"SELECT s.id FROM {Subscriber._meta.db_table} s WHERE {rules} "  # noqa: S608
                f"AND (s.home_neighbourhood_id IN ({placeholders}) OR s.id IN ({extra}))"
            )
            bare_params = [mask, False, *fifty, False, *fifty]

        def bare():
            with connection.cursor() as cursor:
                cursor.execute(bare_sql, bare_params)
                return cursor.fetchall()

        bare_seconds, bare_rows = best_of(args.repeat, bare)
        assert len(bare_rows) == len(audience.email), (len(bare_rows), len(audience.email))
        print(
            f"  50 neighbourhoods + 2 interests: audience_resolve {seconds:.3f} s ({len(audience.email):,} recipients)"
            f" | bare SQL {bare_seconds:.3f} s | ratio bare/project {bare_seconds / seconds:.2f}"
        )

        # 2. A polygon of ~50 vertices drawn over the middle of the force.
        middle = Neighbourhood.objects.order_by("code")[len(fifty) // 2]
        polygon = drawn_polygon((middle.centroid_lon, middle.centroid_lat))
        spec = TargetingSpec(areas=AreaSet(shapes=(polygon,)), channels=frozenset({"email", "sms"}))
        seconds, audience = best_of(args.repeat, lambda: audience_resolve(spec))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT lon, lat FROM {WatchedArea._meta.db_table}")  # noqa: S608
            points = np.array(cursor.fetchall(), dtype=float)
        geom = geometry_of(polygon)
        shapely.prepare(geom)
        bare_seconds, inside = best_of(args.repeat, lambda: shapely.contains_xy(geom, points[:, 0], points[:, 1]))
        print(
            f"  drawn polygon ({len(polygon['coordinates'][0]) - 1} vertices): audience_resolve {seconds:.3f} s "
            f"({audience.subscriber_count:,} subscribers, {int(inside.sum()):,} points inside) | bare shapely "
            f"contains_xy over all {len(points):,} points {bare_seconds:.3f} s | ratio bare/project "
            f"{bare_seconds / seconds:.2f}"
        )


if __name__ == "__main__":
    main()
