"""Reference numbers people quote when they call: `<force short code>-<year>-<number>`, e.g. LC-2026-004213.

Numbers run from 1 each calendar year (UK time). One counter row per year is locked while it is advanced,
so two submissions at once never get the same number. A submission that fails after taking a number leaves
a gap; references are for finding a report, not for counting them.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.utils import timezone

from openbeat.core.models import Force
from openbeat.reports.models import ReferenceCounter

DEFAULT_PREFIX = "OB"


def reference_prefix() -> str:
    return (Force.current().short_code or "").strip().upper() or DEFAULT_PREFIX


# The parts of a reference as typed: "LC-2026-004213", "lc 2026 4213", or with en dashes (pasted).
_TYPED_RE = re.compile(r"^([A-Z][A-Z0-9]{0,5}?)[\s\-\u2010-\u2015]*([0-9]{4})[\s\-\u2010-\u2015]*([0-9]{1,9})$")


def reference_normalise(text: str) -> str | None:
    """What someone typed as a reference, written as references are ("LC-2026-004213"), or None when it cannot
    be one: checked before any look-up, so a typo gets a message saying what a reference looks like."""
    match = _TYPED_RE.match((text or "").strip().upper())
    if not match:
        return None
    prefix, year, number = match.groups()
    return f"{prefix}-{year}-{int(number):06d}"


def reference_example() -> str:
    """A made-up reference in this force's format, for hints and messages."""
    return f"{reference_prefix()}-{timezone.localdate().year}-004213"


def reference_next(*, now: dt.datetime | None = None) -> str:
    """Take the next reference number for the year of `now` (default: the present)."""
    year = timezone.localtime(now or timezone.now()).year
    table = ReferenceCounter._meta.db_table
    # One statement that creates the year's row or advances it, and returns the number: the row is locked
    # from here to the end of the caller's transaction, and there is no read-then-write race to guard.
    sql = (
        f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608
        f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        (number,) = cursor.fetchone()
    return f"{reference_prefix()}-{year}-{number:06d}"
