"""Reads of priorities: the public page and section, the staff list, and the data.police.uk-shaped list that the
open-data API serves (`priorities_police_api`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from openbeat.areas.models import Neighbourhood
from openbeat.core.users import RequestUser
from openbeat.priorities.models import Priority, PriorityUpdate, Status
from openbeat.staff.scope import scope_for

SECTION_DONE_LIMIT = 3


def published_priorities(neighbourhood: Neighbourhood) -> QuerySet[Priority]:
    """The neighbourhood's published priorities, newest first, each with its updates in date order."""
    return (
        Priority.objects.filter(neighbourhood=neighbourhood, published=True)
        .select_related("neighbourhood")
        .prefetch_related(Prefetch("updates", queryset=PriorityUpdate.objects.order_by("date", "pk")))
    )


def neighbourhood_priorities_section(neighbourhood: Neighbourhood) -> dict[str, Any]:
    """The neighbourhood page's "You said, we did": current priorities with their latest update, the most
    recently done ones with what was done."""
    priorities = list(published_priorities(neighbourhood))
    current = [p for p in priorities if p.status != Status.DONE]
    done = sorted(
        (p for p in priorities if p.status == Status.DONE), key=lambda p: p.date_done or p.date_set, reverse=True
    )
    return {
        "neighbourhood": neighbourhood,
        "current": [(p, latest_update(p)) for p in current],
        "done": done[:SECTION_DONE_LIMIT],
        "more_done": max(len(done) - SECTION_DONE_LIMIT, 0),
    }


def latest_update(priority: Priority) -> PriorityUpdate | None:
    updates = list(priority.updates.all())  # prefetched, in date order
    return updates[-1] if updates else None


def priorities_for_staff(user: RequestUser, *, neighbourhood_id: int | None = None) -> QuerySet[Priority]:
    queryset = scope_for(user).filter(
        Priority.objects.select_related("neighbourhood", "neighbourhood__division"), "neighbourhood__division"
    )
    if neighbourhood_id is not None:
        queryset = queryset.filter(neighbourhood_id=neighbourhood_id)
    return queryset


def _api_date(value: Any) -> str | None:
    return f"{value:%Y-%m-%d}T00:00:00" if value else None


def priority_police_api(priority: Priority) -> dict[str, str | None]:
    """One priority as data.police.uk gives it (`/api/<force>/<neighbourhood>/priorities`): the issue and the day
    it was set; the action and its date, null until there is one. Once done the action is what was done (the
    outcome) on the day it was done; before that, what the team will do, with no date."""
    if priority.status == Status.DONE:
        action = priority.outcome or priority.action or None
        action_date = _api_date(priority.date_done)
    else:
        action = priority.action or None
        action_date = None
    return {
        "issue": priority.issue,
        "issue-date": _api_date(priority.date_set),
        "action": action,
        "action-date": action_date,
    }


def priorities_police_api(neighbourhood: Neighbourhood) -> list[dict[str, str | None]]:
    """The neighbourhood's published priorities in data.police.uk's shape, newest first."""
    return [
        priority_police_api(p)
        for p in Priority.objects.filter(neighbourhood=neighbourhood, published=True).order_by("-date_set", "-pk")
    ]
