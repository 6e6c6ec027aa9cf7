"""PACT meetings and events for insights (the board report's "Events and surveys"): metric source "meetings".

Per month (of the event's start, UK time) and division, from what staff recorded after each meeting:
- `pact_meetings`: meetings held (marked held, not cancelled);
- `pact_attendance`: people who attended, in person and online together;
- `events_held`: published events of every kind that started in the month (cancelled ones left out).
Three aggregate queries, whatever the number of meetings. A force that also imports these metrics for the same
months from a spreadsheet counts them twice: it should stop importing once it records meetings here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, TruncMonth

from openbeat.core.metric_sources import Figure
from openbeat.core.months import month_ends_at, month_of, month_starts_at
from openbeat.events.models import Event
from openbeat.meetings.models import Meeting

LABELS = {
    "pact_meetings": "PACT meetings held",
    "pact_attendance": "PACT attendance",
    "events_held": "Events held",
}


def meeting_metric_figures(*, first_month: str, last_month: str) -> Iterable[Figure]:
    since, until = month_starts_at(first_month), month_ends_at(last_month)
    meetings = (
        Meeting.objects.filter(held=True, event__starts_at__gte=since, event__starts_at__lt=until)
        .exclude(event__state=Event.State.CANCELLED)
        .annotate(month=TruncMonth("event__starts_at"))
        .values("month", "event__division__code")
        .annotate(
            held=Count("pk"),
            people=Sum(Coalesce("attended_in_person", 0) + Coalesce("attended_online", 0)),
        )
        .order_by()
    )
    for row in meetings:
        month, division = month_of(row["month"]), row["event__division__code"]
        yield Figure("pact_meetings", month, float(row["held"]), division=division, label=LABELS["pact_meetings"])
        yield Figure(
            "pact_attendance", month, float(row["people"] or 0), division=division, label=LABELS["pact_attendance"]
        )
    events = (
        Event.objects.filter(state=Event.State.PUBLISHED, starts_at__gte=since, starts_at__lt=until)
        .annotate(month=TruncMonth("starts_at"))
        .values("month", "division__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for held_events in events:
        yield Figure(
            "events_held", month_of(held_events["month"]), float(held_events["n"]),
            division=held_events["division__code"],
            label=LABELS["events_held"],
        )  # fmt: skip
