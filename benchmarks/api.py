#!/usr/bin/env python
"""The data.police.uk-compatible API (/api/) at the issue's scale, each figure beside a baseline of the same run.

1. crimes: the demo force (migrate, load_demo) in a throwaway SQLite file (or PostgreSQL with --database-url,
   emptied!), then --crimes street-level crimes in bulk over twelve months, clustered around the demo's
   neighbourhoods and spread over a Lancashire-sized box around them (about 55 x 55 km), on snapped points as
   data.police.uk's are. Then `crimes-street/all-crime` for a one-mile radius around the busiest neighbourhood's
   centre, --queries times through Django's test client (the whole stack: middleware, rate limit, the API's
   response cache missed on purpose by moving the centre a microdegree each time), beside the bare SQL query
   that answers the same question (the same columns, the bounding box and the circle in SQL) on a raw cursor.
   Targets: median under 50 ms, within 2x of the bare query.
2. throughput: `locate-neighbourhood` and a neighbourhood document (`/api/{force}/{neighbourhood}`) under
   gunicorn (2 sync workers, DEBUG off, OPENDATA_RATE_EXEMPT=127.0.0.1/32 so that wrk is not limited) against a
   bare Django project whose view returns the same JSON (benchmarks/pages.py's servers and wrk). Then the same
   with the rate limit counting every request (not exempt; a limit too high to refuse), to show what it costs.
   Target: at least 0.8 of the bare rate.

    .venv/bin/python benchmarks/api.py [--parts crimes,throughput] [--crimes 1000000] [--queries 50]
        [--seconds 10] [--connections 8] [--database-url ...]

Needs wrk (`sudo scripts/system-packages.sh --benchmarks`) for the throughput part.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import pages  # noqa: E402  (benchmarks/pages.py: the demo build, gunicorn, wrk)

BOX_KM = 55  # Lancashire's area is some 3,000 km2
# data.police.uk's anonymised points: Lancashire's October 2022 file has 15,245 located crimes on 6,992 points
# (2.2 a point); a grid of ~110 x 65 m gives a busy mile about as many crimes a point.
SNAP_DEGREES = 0.001
MILE_M = 1_609.344
EARTH_M = 6_371_008.8

BARE_URLS = '''import json
from pathlib import Path

from django.http import HttpResponse
from django.urls import path

DATA = {name.stem: json.loads(name.read_text()) for name in Path(__file__).parent.glob("bare_*.json")}


def bare(request, name):
    """The baseline: a view returning the same JSON, built from data on each request, nothing else."""
    body = json.dumps(DATA["bare_" + name], separators=(",", ":"), ensure_ascii=False)
    return HttpResponse(body.encode(), content_type="application/json")


urlpatterns = [path("bare/<str:name>", bare)]
'''
BARE_SETTINGS = """SECRET_KEY = "bench-bare"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = []
MIDDLEWARE = []
ROOT_URLCONF = "bare_urls"
DATABASES = {}
USE_TZ = True
"""


def setup_django(env: dict[str, str]) -> None:
    """This process on the benchmark's database, with the servers' settings."""
    os.environ.update(env)
    import django

    django.setup()


def add_crimes(total: int, seed: int = 11) -> tuple[int, float, float]:
    """`total` crimes in bulk (a raw executemany, or COPY on PostgreSQL); returns the count and the busiest
    neighbourhood's centre, where the radius query is measured."""
    from django.db import connection, transaction

    from openbeat.areas.models import Neighbourhood
    from openbeat.core.months import last_complete_month, month_shift, month_start
    from openbeat.crime.categories import CATEGORIES
    from openbeat.crime.models import Crime
    from openbeat.crime.services import categories_ensure

    categories_ensure()
    rng = random.Random(seed)
    centres = [
        (n.centroid_lat, n.centroid_lon)
        for n in Neighbourhood.objects.exclude(centroid_lat=None).exclude(centroid_lon=None)
    ]
    assert centres, "the demo force has no neighbourhoods"
    mid_lat = statistics.mean(lat for lat, _ in centres)
    mid_lon = statistics.mean(lon for _, lon in centres)
    half_lat = BOX_KM / 2 / 111.32
    half_lon = half_lat / math.cos(math.radians(mid_lat))
    months = [month_start(month_shift(last_complete_month(), -i)) for i in range(12)]
    slugs = [slug for slug, _name in CATEGORIES if slug != "public-disorder-weapons"]
    # The weight of each neighbourhood: busier town centres, quieter villages (a town centre's mile then holds a
    # few thousand crimes a month, as a city centre's does on data.police.uk, under its 10,000 limit).
    weights = [rng.lognormvariate(0, 0.6) for _ in centres]
    existing = Crime.objects.count()
    todo = max(0, total - existing)
    picks = rng.choices(range(len(centres)), weights=weights, k=todo)

    def snap(value: float) -> int:
        return round(round(value / SNAP_DEGREES) * SNAP_DEGREES * 1e6)

    columns = (
        "persistent_id, row_key, month, category_id, lat_e6, lon_e6, location, lsoa_code, lsoa_name, reported_by, "
        "falls_within, outcome_category, outcome_month, context, neighbourhood_id, outside_force, source_id"
    )
    rows = []
    for index, pick in enumerate(picks):
        if index % 10 < 7:  # clustered around a neighbourhood's centre (sigma ~1 km)
            lat, lon = rng.gauss(centres[pick][0], 0.009), rng.gauss(centres[pick][1], 0.015)
        else:  # anywhere in the force's box
            lat, lon = (
                rng.uniform(mid_lat - half_lat, mid_lat + half_lat),
                rng.uniform(mid_lon - half_lon, mid_lon + half_lon),
            )
        slug = slugs[index % len(slugs)]
        asb = slug == "anti-social-behaviour"
        rows.append((
            "" if asb else f"{rng.getrandbits(256):064x}", f"bench{seed}-{index}", months[index % 12], slug,
            snap(lat), snap(lon), "On or near Bench Street", "", "", "Bench Police", "Bench Police",
            "" if asb else "Under investigation", None if asb else months[index % 12], "", None, False, None,
        ))  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY crime_crime ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            # Room for the random-keyed indexes (row_key, persistent_id) in memory while a million rows go in.
            cursor.execute("PRAGMA cache_size = -400000")
            marks = ", ".join(["%s"] * len(columns.split(", ")))
            for start in range(0, len(rows), 50_000):
                cursor.executemany(
                    f"INSERT INTO crime_crime ({columns}) VALUES ({marks})",  # noqa: S608 - our own constants
                    rows[start : start + 50_000],
                )
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE crime_crime")
        else:
            cursor.execute("ANALYZE")
    print(f"  {todo:,} crimes added in {time.perf_counter() - started:.0f} s")
    busiest = max(range(len(centres)), key=lambda i: weights[i])
    return existing + todo, centres[busiest][0], centres[busiest][1]


def bare_radius_sql(lat: float, lng: float, month: object) -> list[tuple]:
    """The bare query: the same columns, the one-mile box on the (month, lat, lon) index and the circle in SQL
    (equirectangular: the same answer as the great circle at a mile, to a few centimetres)."""
    from django.db import connection

    dlat = math.degrees(MILE_M / EARTH_M)
    coslat = math.cos(math.radians(lat))
    dlng = dlat / coslat
    lat6, lng6, r6 = lat * 1e6, lng * 1e6, dlat * 1e6
    sql = (
        "SELECT id, category_id, lat_e6, lon_e6, location, context, outcome_category, outcome_month, persistent_id, "
        "month FROM crime_crime WHERE month = %s AND lat_e6 BETWEEN %s AND %s AND lon_e6 BETWEEN %s AND %s "
        "AND (lat_e6 - %s) * (lat_e6 - %s) + ((lon_e6 - %s) * %s) * ((lon_e6 - %s) * %s) <= %s ORDER BY id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                month,
                round(lat6 - r6), round(lat6 + r6), round(lng6 - dlng * 1e6), round(lng6 + dlng * 1e6),
                lat6, lat6, lng6, coslat, lng6, coslat, r6 * r6,
            ],
        )  # fmt: skip
        return cursor.fetchall()


def radius_part(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    from openbeat.opendata.crime_selectors import latest_month

    total, lat, lng = add_crimes(args.crimes)
    month = latest_month()
    client = Client(SERVER_NAME="127.0.0.1")
    api_ms, bare_ms, counts, bare_counts = [], [], [], []
    for index in range(args.queries + 3):
        # A new centre each time (a microdegree apart): the API's response cache never answers.
        here = lat + index * 1e-6
        started = time.perf_counter()
        response = client.get("/api/crimes-street/all-crime", {"lat": f"{here:.6f}", "lng": f"{lng:.6f}"})
        api = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        started = time.perf_counter()
        rows = bare_radius_sql(here, lng, month)
        bare = (time.perf_counter() - started) * 1000
        if index >= 3:  # the first few warm the caches and the connection
            api_ms.append(api)
            bare_ms.append(bare)
            counts.append(len(response.json()))
            bare_counts.append(len(rows))
    api_median, bare_median = statistics.median(api_ms), statistics.median(bare_ms)
    print(
        f"crimes-street/all-crime, one mile around the busiest neighbourhood ({connection.vendor}, {total:,} crimes, "
        f"{statistics.median(counts):.0f} crimes answered, the bare query {statistics.median(bare_counts):.0f}), "
        f"{len(api_ms)} queries through the test client: median {api_median:.1f} ms, p90 "
        f"{sorted(api_ms)[len(api_ms) * 9 // 10]:.1f} ms (target < 50 ms); the bare SQL query: median "
        f"{bare_median:.1f} ms; ratio {api_median / bare_median:.2f}x (target <= 2x)"
    )


def throughput_part(args: argparse.Namespace, env: dict[str, str], tmp: Path) -> None:
    from openbeat.areas.models import Neighbourhood
    from openbeat.core.models import Force

    force = Force.current().code
    hood = Neighbourhood.objects.exclude(centroid_lat=None).order_by("code").first()
    assert hood is not None
    paths = {
        "locate": f"/api/locate-neighbourhood?q={hood.centroid_lat:.6f},{hood.centroid_lon:.6f}",
        "neighbourhood": f"/api/{force}/{hood.code}",
    }
    app_port, counted_port, bare_port = 8951, 8952, 8953
    exempt_env = {**env, "OPENDATA_RATE_EXEMPT": "127.0.0.1/32"}
    # Counting every request, never refusing: the limiter's own cost.
    counted_env = {
        **env,
        "OPENDATA_RATE_EXEMPT": "",
        "OPENDATA_RATE_PER_SECOND": "1e9",
        "OPENDATA_RATE_BURST": "1000000000",
    }
    servers = [pages.gunicorn("openbeat.wsgi", app_port, exempt_env, tmp / "app.log", REPO)]
    try:
        servers.append(pages.gunicorn("openbeat.wsgi", counted_port, counted_env, tmp / "counted.log", REPO))
        sizes = {}
        for name, path in paths.items():
            status, body = pages.fetch(f"http://127.0.0.1:{app_port}{path}")
            assert status == 200, (path, status)
            (tmp / f"bare_{name}.json").write_text(body)
            sizes[name] = len(body.encode())
        (tmp / "bare_settings.py").write_text(BARE_SETTINGS)
        (tmp / "bare_urls.py").write_text(BARE_URLS)
        bare_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bare_settings", "PYTHONPATH": str(tmp)}
        servers.append(
            pages.gunicorn("django.core.wsgi:get_wsgi_application()", bare_port, bare_env, tmp / "bare.log", tmp)
        )
        print(
            f"wrk -t2 -c{args.connections} -d{args.seconds}s on 127.0.0.1; gunicorn, 2 sync workers each; "
            f"{os.cpu_count()} CPUs shared by servers and load generator"
        )
        print(f"{'endpoint':44} {'bytes':>6} {'bare/s':>8} {'api/s':>8} {'ratio':>6} {'counted/s':>10} {'ratio':>6}")
        for name, path in paths.items():
            bare = pages.wrk(f"http://127.0.0.1:{bare_port}/bare/{name}", args.seconds, args.connections)
            ours = pages.wrk(f"http://127.0.0.1:{app_port}{path}", args.seconds, args.connections)
            counted = pages.wrk(f"http://127.0.0.1:{counted_port}{path}", args.seconds, args.connections)
            print(
                f"{path[:44]:44} {sizes[name]:>6} {bare:>8.0f} {ours:>8.0f} {ours / bare:>6.2f} "
                f"{counted:>10.0f} {counted / bare:>6.2f}",
                flush=True,
            )
        print("target: api/bare >= 0.8 (exempt from the rate limit); 'counted' = the limit counting every request")
    finally:
        for server in servers:
            server.terminate()
            server.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", default="crimes,throughput", help="which measurements, comma-separated")
    parser.add_argument("--crimes", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10, help="wrk run per server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if "throughput" in parts and not shutil.which("wrk"):
        sys.exit("wrk is not installed: sudo scripts/system-packages.sh --benchmarks")

    with tempfile.TemporaryDirectory(prefix="openbeat-api-") as name:
        tmp = Path(name)
        env = pages.build(tmp, args.database_url)
        # The test client's requests come from 127.0.0.1: not limited in the crimes part either.
        setup_django({**env, "OPENDATA_RATE_EXEMPT": "127.0.0.1/32"})
        if "crimes" in parts:
            radius_part(args)
        if "throughput" in parts:
            throughput_part(args, env, tmp)


if __name__ == "__main__":
    main()
