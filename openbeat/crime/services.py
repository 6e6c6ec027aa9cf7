"""Writes: the category table, and crimes in bulk (the importer and the demo generator both go through here)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from openbeat.core.pagecache import public_content_changed
from openbeat.crime.categories import CATEGORIES
from openbeat.crime.models import Crime, CrimeCategory

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
