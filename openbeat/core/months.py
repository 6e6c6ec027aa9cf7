"""Calendar months as "YYYY-MM" strings: the one place their arithmetic is written.

Figures, KPIs and reports pass months around as "YYYY-MM" text (they sort and compare as months do); these
helpers turn them into dates, or into the aware instants a month starts and ends at in the force's time zone.
"""

from __future__ import annotations

import calendar
import datetime
import re

from django.utils import timezone

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_month(value: str | None) -> bool:
    """Whether `value` is a month written as "YYYY-MM"."""
    return bool(MONTH.fullmatch(value or ""))


def _parts(month: str) -> tuple[int, int]:
    return int(month[:4]), int(month[5:7])


def month_of(day: datetime.date) -> str:
    """The month a date (or datetime) falls in, as "YYYY-MM"."""
    return f"{day.year:04d}-{day.month:02d}"


def month_shift(month: str, n: int) -> str:
    """The month `n` months after `month` (before it when `n` is negative)."""
    year, number = _parts(month)
    index = year * 12 + number - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from first to last inclusive; empty when first is after last."""
    out, month = [], first
    while month <= last:
        out.append(month)
        month = month_shift(month, 1)
    return out


def month_start(month: str) -> datetime.date:
    """The first day of the month."""
    year, number = _parts(month)
    return datetime.date(year, number, 1)


def days_in_month(month: str) -> int:
    return calendar.monthrange(*_parts(month))[1]


def month_starts_at(month: str) -> datetime.datetime:
    """Midnight on the 1st of the month in the current (the force's) time zone."""
    year, number = _parts(month)
    return timezone.make_aware(datetime.datetime(year, number, 1))


def month_ends_at(month: str) -> datetime.datetime:
    """The first instant after the month (midnight on the 1st of the next), in the current time zone."""
    return month_starts_at(month_shift(month, 1))


def last_complete_month(today: datetime.date | None = None) -> str:
    """The month before today's (local) month."""
    return month_shift(month_of(today or timezone.localdate()), -1)
