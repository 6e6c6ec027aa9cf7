"""Reference numbers people quote when they call: `<force short code>-<year>-<number>`, e.g. LC-2026-004213.

Numbers run from 1 each calendar year (UK time). One counter row per year is locked while it is advanced,
so two submissions at once never get the same number. A submission that fails after taking a number leaves
a gap; references are for finding a report, not for counting them.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openbeat.areas.models import Force
from openbeat.reports.models import ReferenceCounter

DEFAULT_PREFIX = "OB"


def reference_prefix() -> str:
    return (Force.current().short_code or "").strip().upper() or DEFAULT_PREFIX


def reference_next(*, now: dt.datetime | None = None) -> str:
    """Take the next reference number for the year of `now` (default: the present)."""
    year = timezone.localtime(now or timezone.now()).year
    with transaction.atomic():
        # INSERT ... ON CONFLICT DO NOTHING: the first submission of a year creates the row without a race.
        ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year, last=0)], ignore_conflicts=True)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        number = counter.last
    return f"{reference_prefix()}-{year}-{number:06d}"
