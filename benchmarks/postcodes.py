#!/usr/bin/env python
"""Postcode import throughput: the six real Code-Point Open files through areas' import code path.

Imports the real Lancashire boundaries and then the Code-Point files (../shared/data beside the checkout) into
a throwaway SQLite database, and prints postcodes/second beside a baseline measured in the same run: a bare
csv parse plus one executemany INSERT of the same rows into a table of the same shape (no normalising,
projection, locating or change detection). Target: >= 20,000 postcodes/s. Also compares the write itself:
postcodes_upsert (executemany INSERT ... ON CONFLICT) against bulk_create(update_conflicts=True).

    .venv/bin/python benchmarks/postcodes.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("OPENBEAT_SHARED_DATA", REPO.parent / "shared" / "data")) / "lancashire"
TARGET_RATE = 20_000


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts (default %(default)s)")
    args = parser.parse_args()
    if not (DATA / "postcodes-codepoint").is_dir():
        print(f"Real data not found at {DATA} (expected ../shared/data beside the checkout); nothing to measure.")
        return 2

    with tempfile.TemporaryDirectory(prefix="openbeat-bench-") as tmp:
        setup_django(tmp)
        from django.db import connection, transaction

        from openbeat.areas.importers.boundaries import import_geojson_boundaries
        from openbeat.areas.importers.postcodes import import_postcodes, postcode_files
        from openbeat.areas.models import Postcode
        from openbeat.areas.services import postcodes_upsert

        import_geojson_boundaries(
            sorted((DATA / "boundaries").glob("*_wards.geojson")), mapping=DATA / "neighbourhoods.csv"
        )
        files = postcode_files([DATA / "postcodes-codepoint"])
        table = connection.ops.quote_name(Postcode._meta.db_table)

        def clear() -> None:
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (table name from the model)

        def timed(func):
            start = time.perf_counter()
            result = func()
            return time.perf_counter() - start, result

        fresh, rerun, bare = [], [], []
        for _ in range(args.repeat):
            clear()
            fresh.append(timed(lambda: import_postcodes(files)))
            rerun.append(timed(lambda: import_postcodes(files)))
            bare.append(timed(lambda: bare_import(files, connection, transaction)))
        fresh_s, report = min(fresh, key=lambda r: r[0])
        rerun_s, rerun_report = min(rerun, key=lambda r: r[0])
        bare_s, bare_rows = min(bare, key=lambda r: r[0])
        rows = report.imported + report.skipped
        assert rows == bare_rows, (rows, bare_rows)

        stored = list(Postcode.objects.values_list("postcode", "lat", "lon", "neighbourhood_id", "source_area"))
        clear()
        upsert_s, _ = timed(lambda: postcodes_upsert(rows=stored))
        clear()
        objects = [Postcode(postcode=p, lat=a, lon=o, neighbourhood_id=n, source_area=s) for p, a, o, n, s in stored]
        bulk_s, _ = timed(
            lambda: Postcode.objects.bulk_create(
                objects,
                batch_size=5_000,
                update_conflicts=True,
                unique_fields=["postcode"],
                update_fields=["lat", "lon", "neighbourhood_id", "source_area"],
            )
        )

        rate, bare_rate = rows / fresh_s, rows / bare_s
        print(f"{len(files)} Code-Point files, {rows:,} postcodes; best of {args.repeat}")
        print(f"  import (empty table):    {fresh_s:6.2f} s  {rate:9,.0f} postcodes/s   {report.summary()}")
        rerun_rate = rows / rerun_s
        print(
            f"  import again (no change): {rerun_s:5.2f} s  {rerun_rate:9,.0f} postcodes/s   {rerun_report.summary()}"
        )
        print(f"  baseline csv + executemany: {bare_s:4.2f} s  {bare_rate:9,.0f} postcodes/s")
        print(f"  ratio import / baseline: {rate / bare_rate:.2f}; target >= {TARGET_RATE:,} postcodes/s")
        print(
            f"  write {len(stored):,} rows: postcodes_upsert {upsert_s:.2f} s, "
            f"bulk_create(update_conflicts) {bulk_s:.2f} s"
        )
        return 0 if rate >= TARGET_RATE else 1


def bare_import(files, connection, transaction) -> int:
    """The floor: parse the same files with csv and insert the raw rows into a table of the same shape."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_postcode")
        cursor.execute(
            "CREATE TABLE bench_postcode (postcode varchar(8) PRIMARY KEY, lat double precision, "
            "lon double precision, neighbourhood_id bigint NULL, source_area varchar(12))"
        )
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for path in files:
            with open(path, newline="") as handle:
                rows = [(row[0], float(row[2]), float(row[3]), None, row[9]) for row in csv.reader(handle)]
            cursor.executemany("INSERT INTO bench_postcode VALUES (%s, %s, %s, %s, %s)", rows)
            count += len(rows)
    return count


if __name__ == "__main__":
    sys.exit(main())
