#!/usr/bin/env python
"""Point-in-neighbourhood throughput: areas.geo.locate_many against a bare shapely STRtree query.

Imports the real Lancashire boundaries (../shared/data beside the checkout) into a throwaway SQLite database,
then locates N random points inside the force's extent both ways, in the same run. Target: ratio >= 0.8.

    .venv/bin/python benchmarks/locate.py [--points 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("OPENBEAT_SHARED_DATA", REPO.parent / "shared" / "data")) / "lancashire"
TARGET_RATIO = 0.8


def setup_django(tmp: str) -> None:
    """A fresh SQLite database under tmp, migrated; must run before anything imports the models."""
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["OPENBEAT_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.settings")
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def best_of(repeat: int, func):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=1_000_000, help="random points (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts (default %(default)s)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not (DATA / "boundaries").is_dir():
        print(f"Real data not found at {DATA} (expected ../shared/data beside the checkout); nothing to measure.")
        return 2

    with tempfile.TemporaryDirectory(prefix="openbeat-bench-") as tmp:
        setup_django(tmp)
        import numpy as np
        import shapely

        from openbeat.areas import geo
        from openbeat.areas.importers.boundaries import import_geojson_boundaries

        report = import_geojson_boundaries(
            sorted((DATA / "boundaries").glob("*_wards.geojson")), mapping=DATA / "neighbourhoods.csv"
        )
        index = geo.boundary_index()
        min_lon, min_lat, max_lon, max_lat = index.total_bounds
        print(f"{report.imported} neighbourhoods; extent {min_lon:.3f},{min_lat:.3f} .. {max_lon:.3f},{max_lat:.3f}")

        rng = np.random.default_rng(args.seed)
        lons = rng.uniform(min_lon, max_lon, args.points)
        lats = rng.uniform(min_lat, max_lat, args.points)

        # The baseline: the same boundaries, read from the database as a plain user of shapely would, in a
        # bare STRtree; points are built beforehand (not timed), the strictest comparison.
        from shapely.geometry import shape

        from openbeat.areas.models import Neighbourhood

        stored = Neighbourhood.objects.filter(boundary__isnull=False).order_by("pk")
        tree = shapely.STRtree([shape(boundary) for boundary in stored.values_list("boundary", flat=True)])
        points = shapely.points(lons, lats)
        bare_s, (point_idx, _) = best_of(args.repeat, lambda: tree.query(points, predicate="intersects"))
        bare_points_s, _ = best_of(args.repeat, lambda: tree.query(shapely.points(lons, lats), predicate="intersects"))
        ours_s, found = best_of(args.repeat, lambda: geo.locate_many(lons, lats))

        assert np.array_equal(np.flatnonzero(found), np.unique(point_idx)), "locate_many disagrees with STRtree"
        inside = int((found > 0).sum())
        rate = args.points / ours_s
        bare_rate = args.points / bare_s
        ratio = rate / bare_rate
        print(f"points: {args.points:,} ({inside:,} inside a neighbourhood), best of {args.repeat}")
        print(f"  locate_many:                          {ours_s:7.3f} s  {rate:12,.0f} points/s")
        print(f"  bare STRtree.query (points prebuilt): {bare_s:7.3f} s  {bare_rate:12,.0f} points/s")
        points_rate = args.points / bare_points_s
        print(f"  bare shapely.points + STRtree.query:  {bare_points_s:7.3f} s  {points_rate:12,.0f} points/s")
        print(f"  ratio locate_many / bare query: {ratio:.2f} (target >= {TARGET_RATIO})")
        return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
