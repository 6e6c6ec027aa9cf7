#!/usr/bin/env python
"""Nearest watch schemes at the issue's scale: 10,000 verified schemes, the seven nearest to a point.

A throwaway SQLite database (or PostgreSQL with --database-url, emptied of schemes!) gets --schemes schemes, each
a circle of 100 m to 1 mile, spread over a Lancashire-sized box (about 55 x 55 km) with towns denser than the
fells. Then, for --queries random points in the box, in the same run:

- `selectors.nearest_ids` (the finder's search: an index range on the centre columns, the box widening until
  it holds seven within its inscribed circle, numpy distances), and `selectors.find` (that plus "which schemes
  is the point inside": the bbox columns, then shapely), both through the ORM;
- the baseline: a bare brute force, one raw SQL query reading every verified scheme's centre and numpy
  haversine distances with argpartition, as someone with no index would write it.

Target: the finder's median under 20 ms. Each figure is printed beside the baseline as a ratio.

    .venv/bin/python benchmarks/schemes.py [--schemes 10000] [--queries 200] [--database-url ...]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_MS = 20.0
CENTRE = (53.80, -2.65)  # about Preston
BOX_KM = 55


def setup_django(tmp: str, database_url: str | None) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["OPENBEAT_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.settings")
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build(n: int, seed: int) -> None:
    import numpy as np
    from django.db import transaction
    from django.utils import timezone

    from openbeat.areas.models import Division
    from openbeat.schemes.geometry import RADIUS_CHOICES, area_fields, circle
    from openbeat.schemes.models import Scheme

    rng = np.random.default_rng(seed)
    lat0, lon0 = CENTRE
    dlat = BOX_KM / 2 / 111.32
    dlon = BOX_KM / 2 / (111.32 * math.cos(math.radians(lat0)))
    # Two thirds clustered around 12 "towns", the rest spread evenly.
    towns = np.column_stack([rng.uniform(lat0 - dlat, lat0 + dlat, 12), rng.uniform(lon0 - dlon, lon0 + dlon, 12)])
    clustered = n * 2 // 3
    pick = rng.integers(0, len(towns), clustered)
    lats = np.concatenate(
        [towns[pick, 0] + rng.normal(0, dlat / 15, clustered), rng.uniform(lat0 - dlat, lat0 + dlat, n - clustered)]
    )
    lons = np.concatenate(
        [towns[pick, 1] + rng.normal(0, dlon / 15, clustered), rng.uniform(lon0 - dlon, lon0 + dlon, n - clustered)]
    )
    radii = rng.choice(RADIUS_CHOICES, n)
    division, _ = Division.objects.get_or_create(code="bench", defaults={"name": "Benchmark"})
    now = timezone.now()
    with transaction.atomic():
        Scheme.objects.all().delete()
        rows = []
        for i in range(n):
            lat, lon = float(lats[i]), float(lons[i])
            fields = area_fields(circle(lat=lat, lon=lon, radius_m=float(radii[i])))
            fields.update(centre_lat=lat, centre_lon=lon)
            rows.append(
                Scheme(
                    slug=f"bench-{i}",
                    name=f"Scheme {i}",
                    division=division,
                    households=int(rng.integers(5, 400)),
                    status=Scheme.Status.VERIFIED if i % 10 else Scheme.Status.PENDING,
                    verified_at=now,
                    **fields,
                )
            )
        Scheme.objects.bulk_create(rows, batch_size=1_000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def brute_force(lat: float, lon: float, k: int = 7) -> list[int]:
    """The baseline: every verified centre in one raw query, numpy haversine, argpartition."""
    import numpy as np
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, centre_lat, centre_lon FROM schemes_scheme WHERE status = %s", ["verified"])
        rows = np.array(cursor.fetchall(), dtype=np.float64)
    lat1, lon1 = math.radians(lat), math.radians(lon)
    lat2, lon2 = np.radians(rows[:, 1]), np.radians(rows[:, 2])
    a = np.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    metres = 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))
    nearest = np.argpartition(metres, k)[:k]
    nearest = nearest[np.lexsort((rows[nearest, 0], metres[nearest]))]
    return [int(rows[i, 0]) for i in nearest]


def timed(func, points) -> tuple[list[float], list]:
    times, results = [], []
    for lat, lon in points:
        start = time.perf_counter()
        results.append(func(lat, lon))
        times.append((time.perf_counter() - start) * 1000)
    return times, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schemes", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=None, help="PostgreSQL to use instead (its schemes are replaced)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="openbeat-bench-") as tmp:
        setup_django(tmp, args.database_url)
        import numpy as np

        from openbeat.areas.postcodes import PostcodeLocation
        from openbeat.schemes import selectors

        start = time.perf_counter()
        build(args.schemes, args.seed)
        print(f"{args.schemes:,} schemes (9 in 10 verified) built in {time.perf_counter() - start:.1f} s")

        rng = np.random.default_rng(args.seed + 1)
        lat0, lon0 = CENTRE
        dlat = BOX_KM / 2 / 111.32
        dlon = BOX_KM / 2 / (111.32 * math.cos(math.radians(lat0)))
        points = list(
            zip(
                rng.uniform(lat0 - dlat, lat0 + dlat, args.queries),
                rng.uniform(lon0 - dlon, lon0 + dlon, args.queries),
                strict=True,
            )
        )
        points = [(float(a), float(b)) for a, b in points]

        # Warm both paths (connections, numpy, the query plans) before timing.
        for lat, lon in points[:5]:
            brute_force(lat, lon)
            selectors.nearest_ids(lat=lat, lon=lon)

        base_ms, base = timed(brute_force, points)
        near_ms, near = timed(lambda lat, lon: [pk for pk, _ in selectors.nearest_ids(lat=lat, lon=lon)], points)

        def finder(lat: float, lon: float):  # the whole answer the page shows, schemes loaded
            location = PostcodeLocation(postcode="", lat=lat, lon=lon, neighbourhood=None)  # type: ignore[arg-type]
            return selectors.find(location)

        find_ms, _ = timed(finder, points)
        mismatches = sum(a != b for a, b in zip(base, near, strict=True))

        def line(label: str, ms: list[float]) -> str:
            median = statistics.median(ms)
            p95 = sorted(ms)[int(len(ms) * 0.95) - 1]
            ratio = statistics.median(base_ms) / median
            return f"  {label:<44} median {median:7.2f} ms   p95 {p95:7.2f} ms   {ratio:5.1f}x the baseline"

        print(f"\n{args.queries} look-ups at random points, {'PostgreSQL' if args.database_url else 'SQLite'}:")
        print(line("baseline: raw SQL over every scheme + numpy", base_ms))
        print(line("nearest_ids (box widening, indexed)", near_ms))
        print(line("find (nearest + inside, schemes loaded)", find_ms))
        print(f"  answers differing from the brute force: {mismatches}")
        median = statistics.median(find_ms)
        ok = median < TARGET_MS and mismatches == 0
        print(f"\nTarget: the finder's median under {TARGET_MS:.0f} ms: {'met' if ok else 'NOT met'} ({median:.2f} ms)")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
