"""An event's date and time in words, as GOV.UK writes them: "Tuesday 2 March 2027, 7pm to 8:30pm"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def time_in_words(when: datetime) -> str:
    when = when.astimezone(LONDON)
    if when.hour == 12 and when.minute == 0:
        return "midday"
    if when.hour == 0 and when.minute == 0:
        return "midnight"
    hour = when.hour % 12 or 12
    suffix = "am" if when.hour < 12 else "pm"
    return f"{hour}{suffix}" if when.minute == 0 else f"{hour}:{when.minute:02d}{suffix}"


def date_in_words(when: datetime) -> str:
    when = when.astimezone(LONDON)
    return f"{when:%A} {when.day} {when:%B %Y}"


def when_in_words(starts_at: datetime, ends_at: datetime) -> str:
    start, end = starts_at.astimezone(LONDON), ends_at.astimezone(LONDON)
    if start.date() == end.date():
        return f"{date_in_words(start)}, {time_in_words(start)} to {time_in_words(end)}"
    return f"{date_in_words(start)}, {time_in_words(start)} to {date_in_words(end)}, {time_in_words(end)}"
