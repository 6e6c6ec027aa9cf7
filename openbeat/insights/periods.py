"""Month ranges from request parameters: `from` and `to` as YYYY-MM, defaulting to the last complete month."""

from __future__ import annotations

from datetime import date

from openbeat.core.months import is_month, last_complete_month, month_shift


def month_range(params: dict[str, str], *, default_months: int = 1, today: date | None = None) -> tuple[str, str]:
    """(first, last) months from `params`; bad or missing values fall back to the default, never raise."""
    last = params.get("to", "")
    last = last if is_month(last) else last_complete_month(today)
    first = params.get("from", "")
    if not is_month(first) or first > last:
        first = month_shift(last, -(default_months - 1))
    return first, last
