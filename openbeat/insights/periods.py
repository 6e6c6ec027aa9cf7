"""Month ranges from request parameters: `from` and `to` as YYYY-MM, defaulting to the last complete month."""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def last_complete_month(today: date | None = None) -> str:
    today = today or timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def month_range(params: dict[str, str], *, default_months: int = 1, today: date | None = None) -> tuple[str, str]:
    """(first, last) months from `params`; bad or missing values fall back to the default, never raise."""
    last = params.get("to", "")
    last = last if MONTH.match(last) else last_complete_month(today)
    first = params.get("from", "")
    if not MONTH.match(first) or first > last:
        first = months_before(last, default_months - 1)
    return first, last


def months_before(month: str, count: int) -> str:
    year, mon = (int(part) for part in month.split("-"))
    index = year * 12 + (mon - 1) - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
