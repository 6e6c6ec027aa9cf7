#!/usr/bin/env python
"""Subscriber import at scale: import_subscribers over a generated CSV, beside a bare executemany of the same
subscriber, watched-area and consent rows (pre-built tuples, no parsing, no checks) in the same run.

    .venv/bin/python benchmarks/subscriber_import.py [--rows 50000] [--database-url postgres://...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audience import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/openbeat_bench (emptied!)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="openbeat-bench-") as tmp:
        setup_django(tmp, args.database_url)
        from django.db import connection, transaction

        from openbeat.areas.models import Postcode
        from openbeat.demo.steps import demo_context, step_force, step_geography, step_postcodes
        from openbeat.subscriptions.importers import import_subscribers
        from openbeat.subscriptions.models import Consent, Subscriber, WatchedArea

        ctx = demo_context()
        for step in (step_force, step_geography, step_postcodes):
            step(ctx)
        postcodes = list(
            Postcode.objects.filter(neighbourhood__isnull=False).values_list("postcode", "lat", "lon", "neighbourhood")
        )
        lines = ["email,phone,postcode,interests,consent_date,consent_source"]
        for n in range(args.rows):
            phone = f"07700900{n % 1000:03d}" if n < 1000 else ""
            interests = "crime-alerts;roads-travel" if n % 2 else ""
            lines.append(
                f"resident{n}@example.com,{phone},{postcodes[n % len(postcodes)][0]},{interests},2023-01-01,Old system"
            )
        path = Path(tmp) / "subscribers.csv"
        path.write_text("\n".join(lines) + "\n")

        started = time.perf_counter()
        report = import_subscribers(path)
        seconds = time.perf_counter() - started
        assert report.created == args.rows, report.errors[:3]

        # Baseline: the same rows written with no parsing, checking or lookups, into emptied tables.
        Consent.objects.all().delete()
        WatchedArea.objects.all().delete()
        Subscriber.objects.all().delete()
        sub, area, consent = (m._meta.db_table for m in (Subscriber, WatchedArea, Consent))
        subscribers = [
            (f"{n:032x}", f"resident{n}@example.com", "2023-01-01 00:00:00", "active", "en", 3, p[3], "import", now)
            for n, p, now in ((n, postcodes[n % len(postcodes)], "2023-01-01 00:00:00") for n in range(args.rows))
        ]
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {sub} (public_id, email, email_confirmed_at, status, language, interest_bits, "  # noqa: S608
                "home_neighbourhood_id, source, created_at, email_day, email_night, sms_day, sms_night, "
                "email_min_priority, sms_min_priority, email_stopped) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, TRUE, TRUE, FALSE, FALSE, 0, 2, FALSE)",
                subscribers,
            )
            ids = list(Subscriber.objects.order_by("pk").values_list("pk", flat=True))
            cursor.executemany(
                f"INSERT INTO {area} (subscriber_id, neighbourhood_id, postcode, lat, lon, is_home, label) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, TRUE, '')",
                [
                    (i, p[3], p[0], p[1], p[2])
                    for i, p in zip(ids, (postcodes[n % len(postcodes)] for n in range(args.rows)), strict=True)
                ],
            )
            cursor.executemany(
                f"INSERT INTO {consent} (subscriber_id, purpose, wording, source, given_at) "  # noqa: S608
                "VALUES (%s, 'contact', 'Imported', 'import: Old system', '2023-01-01 00:00:00')",
                [(i,) for i in ids],
            )
        bare = time.perf_counter() - started
        print(
            f"{connection.vendor}: import_subscribers {args.rows:,} rows {seconds:.2f} s "
            f"({args.rows / seconds:,.0f} rows/s)"
            f" | bare executemany of the same rows {bare:.2f} s | ratio bare/project {bare / seconds:.2f}"
        )


if __name__ == "__main__":
    main()
