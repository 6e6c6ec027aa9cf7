"""Reads for PACT meetings: the public page's questions, a resident's own, the staff lists, and the figures for
the board report's "Events and surveys" section."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.users import RequestUser
from openbeat.events.models import Event
from openbeat.meetings.models import Meeting, Participant, Question
from openbeat.staff.scope import scope_for


def public_meeting(public_id: Any) -> Meeting | None:
    return (
        Meeting.objects.select_related("event", "event__neighbourhood", "event__division")
        .filter(event__public_id=public_id, event__kind=Event.Kind.PACT, event__state__in=["published", "cancelled"])
        .first()
    )


def approved_questions(meeting: Meeting, *, live: bool = False) -> QuerySet[Question]:
    """The public questions, most votes first (`live`: the latest answered first, as the live page shows them)."""
    order = (
        (F("answered_at").desc(nulls_last=True), "-votes_count", "created_at")
        if live
        else ("-votes_count", "created_at")
    )
    return meeting.questions.filter(state=Question.State.APPROVED).annotate(votes_count=Count("votes")).order_by(*order)


def own_questions(meeting: Meeting, participant: Participant | None) -> list[Question]:
    """A resident's questions that are not (or no longer) public, with their state: awaiting, rejected..."""
    if participant is None:
        return []
    return list(
        meeting.questions.filter(participant=participant).exclude(state=Question.State.APPROVED).order_by("created_at")
    )


def voted_ids(participant: Participant | None) -> set[int]:
    if participant is None:
        return set()
    return set(participant.votes.values_list("question_id", flat=True))


def meetings_for(user: RequestUser) -> QuerySet[Event]:
    """PACT events the user may moderate, with their meeting if set up."""
    scope = scope_for(user)
    events = Event.objects.filter(kind=Event.Kind.PACT).select_related("neighbourhood", "division", "meeting")
    if scope.force_wide:
        return events
    return events.filter(force_wide=False, division_id__in=scope.division_ids)


def moderation_queue(meeting: Meeting) -> dict[str, list[Question]]:
    rows = meeting.questions.annotate(votes_count=Count("votes")).order_by("created_at")
    groups: dict[str, list[Question]] = {state: [] for state in Question.State.values}
    for question in rows:
        groups[question.state].append(question)
    return groups


def neighbourhood_meetings_section(neighbourhood: Neighbourhood) -> dict[str, Any]:
    """The neighbourhood page: upcoming PACT meetings taking questions, and the last one's minutes. One query."""
    now = timezone.now()
    meetings = list(
        Meeting.objects.select_related("event")
        .filter(
            event__neighbourhood=neighbourhood,
            event__state="published",
            event__ends_at__gte=now - dt.timedelta(days=180),
        )
        .order_by("event__starts_at")[:5]
    )
    return {
        "pact_upcoming": [m for m in meetings if m.event.ends_at >= now],
        "pact_past": [m for m in meetings if m.event.ends_at < now and m.minutes][-1:],
    }


@dataclass(frozen=True)
class MeetingFigures:
    meetings_held: int
    attended_in_person: int
    attended_online: int
    questions_asked: int
    questions_answered: int


def meeting_figures(start: dt.date, end: dt.date, division: Division | None = None) -> MeetingFigures:
    """Meetings held from `start` to `end` (inclusive, by the event's local start date), with attendance and
    questions: asked counts every verified question (whatever moderation made of it), answered the approved
    ones answered. For the board report's "Events and surveys"."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    meetings = Meeting.objects.filter(held=True, event__starts_at__gte=since, event__starts_at__lt=until).exclude(
        event__state=Event.State.CANCELLED
    )
    if division is not None:
        meetings = meetings.filter(event__division=division)
    totals = meetings.aggregate(held=Count("pk"), in_person=Sum("attended_in_person"), online=Sum("attended_online"))
    asked = Question.objects.filter(meeting__in=meetings).exclude(state=Question.State.UNVERIFIED)
    counts = asked.aggregate(
        asked=Count("pk"), answered=Count("pk", filter=Q(state=Question.State.APPROVED, answered_at__isnull=False))
    )
    return MeetingFigures(
        meetings_held=totals["held"] or 0,
        attended_in_person=totals["in_person"] or 0,
        attended_online=totals["online"] or 0,
        questions_asked=counts["asked"] or 0,
        questions_answered=counts["answered"] or 0,
    )
