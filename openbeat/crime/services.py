"""Writes: the category table, and crimes in bulk (the importer and the demo generator both go through here)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection, transaction

from openbeat.core.pagecache import public_content_changed
from openbeat.crime.categories import CATEGORIES
from openbeat.crime.models import Crime, CrimeCategory, CrimeCount

WRITE_BATCH = 2_000
UPDATE_FIELDS = [
    "persistent_id", "category", "lat_e6", "lon_e6", "location", "lsoa_code", "lsoa_name", "reported_by",
    "falls_within", "outcome_category", "outcome_month", "context", "neighbourhood", "outside_force",
]  # fmt: skip


def categories_ensure() -> None:
    """data.police.uk's categories in the table (a migration seeds them; a flushed test database loses them)."""
    present = set(CrimeCategory.objects.values_list("slug", flat=True))
    missing = [
        CrimeCategory(slug=slug, name=name, sort_order=index)
        for index, (slug, name) in enumerate(CATEGORIES)
        if slug not in present
    ]
    if missing:
        CrimeCategory.objects.bulk_create(missing, ignore_conflicts=True)


def crimes_write(*, new: Sequence[Crime], changed: Sequence[Crime] = ()) -> None:
    """Insert `new` and update `changed` (rows with a pk) in batches, then tell the public page cache.

    bulk_create and bulk_update send no post_save, so the cache would not otherwise hear of these rows.
    """
    if not new and not changed:
        return
    with transaction.atomic():
        if new:
            Crime.objects.bulk_create(new, batch_size=WRITE_BATCH)
        if changed:
            Crime.objects.bulk_update(changed, UPDATE_FIELDS, batch_size=500)
        public_content_changed()


def crime_counts_refresh(*, months: Iterable[datetime.date]) -> None:
    """Count the crimes of `months` again into CrimeCount (the neighbourhood page's figures), in one statement.

    Every writer of crimes calls it once its writes are done (the importer once a file, the demo once), not per
    batch: a month of a large force is some 100,000 rows, counted in about a tenth of a second.
    """
    wanted = sorted({datetime.date(m.year, m.month, 1) for m in months})
    if not wanted:
        return
    crimes, counts = Crime._meta.db_table, CrimeCount._meta.db_table
    marks = ", ".join(["%s"] * len(wanted))
    with transaction.atomic():
        # Two refreshes of one month at once would each delete, then both insert: the category rows, locked in
        # one order, queue them (a no-op on SQLite, whose writers are queued already).
        list(CrimeCategory.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
        CrimeCount.objects.filter(month__in=wanted).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {counts} (source_id, month, neighbourhood_id, category_id, outcome_category, count) "  # noqa: S608
                f"SELECT source_id, month, neighbourhood_id, category_id, outcome_category, COUNT(*) FROM {crimes} "
                f"WHERE month IN ({marks}) "
                "GROUP BY source_id, month, neighbourhood_id, category_id, outcome_category",
                wanted,
            )
        public_content_changed()
