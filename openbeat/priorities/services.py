"""Writes to priorities. Each checks the actor may manage the neighbourhood (the permission, and its division in
the actor's scope: staff.scope) and writes the audit log."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from openbeat.areas.models import Neighbourhood
from openbeat.audit.services import log_action
from openbeat.core.users import RequestUser
from openbeat.priorities.models import Priority, PriorityUpdate, Source, Status
from openbeat.staff.scope import scope_for

PERMISSION = "priorities.manage_priority"
EDITABLE = ("issue", "action", "date_set", "source_kind", "source_reference", "source_url", "published")


def can_manage(user: RequestUser, neighbourhood: Neighbourhood) -> bool:
    return bool(user and user.has_perm(PERMISSION)) and scope_for(user).allows(neighbourhood)


def signed_in(actor: RequestUser) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _check(actor: RequestUser, neighbourhood: Neighbourhood) -> None:
    if not can_manage(actor, neighbourhood):
        raise PermissionDenied("You cannot manage this neighbourhood's priorities.")


def priority_create(
    *,
    actor: RequestUser,
    neighbourhood: Neighbourhood,
    issue: str,
    date_set: datetime.date,
    action: str = "",
    source_kind: str = Source.PACT,
    source_reference: str = "",
    source_url: str = "",
    published: bool = False,
    request: HttpRequest | None = None,
) -> Priority:
    _check(actor, neighbourhood)
    priority = Priority(
        neighbourhood=neighbourhood,
        issue=issue.strip(),
        action=action.strip(),
        date_set=date_set,
        source_kind=source_kind,
        source_reference=source_reference.strip(),
        source_url=source_url.strip(),
        published=published,
    )
    priority.full_clean()
    priority.save()
    log_action(
        "priorities.priority.create",
        actor=actor,
        target=priority,
        data={"neighbourhood": neighbourhood.code, "source": source_kind, "published": published},
        request=request,
    )
    return priority


def priority_edit(
    *, actor: RequestUser, priority: Priority, request: HttpRequest | None = None, **fields: Any
) -> Priority:
    """Change what a priority says or where it came from, or publish it. Its status changes only by an update."""
    _check(actor, priority.neighbourhood)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(priority, name) != value]
    for name in changed:
        value = fields[name]
        setattr(priority, name, value.strip() if isinstance(value, str) else value)
    priority.full_clean()
    priority.save()
    verb = "published" if "published" in changed and priority.published else "change"
    log_action(f"priorities.priority.{verb}", actor=actor, target=priority, data={"fields": changed}, request=request)
    return priority


def priority_update_add(
    *,
    actor: RequestUser,
    priority: Priority,
    date: datetime.date,
    status: str,
    note: str,
    outcome: str = "",
    request: HttpRequest | None = None,
) -> PriorityUpdate:
    """Add a dated note with the status from then on. Done needs what was done (`outcome`, "we did"); the day it
    was done is the update's date. Earlier updates are never changed."""
    _check(actor, priority.neighbourhood)
    if status not in Status.values:
        raise ValidationError({"status": "Choose a status"})
    if not note.strip():
        raise ValidationError({"note": "Enter what has happened"})
    if status == Status.DONE and not (outcome.strip() or priority.outcome):
        raise ValidationError({"outcome": "Enter what the team did"})
    if date < priority.date_set:
        raise ValidationError({"date": "The update's date must be on or after the day the priority was set"})
    with transaction.atomic():
        update = PriorityUpdate.objects.create(
            priority=priority, date=date, status=status, note=note.strip(), author=signed_in(actor)
        )
        priority.status = status
        if status == Status.DONE:
            priority.date_done = date
            if outcome.strip():
                priority.outcome = outcome.strip()
        else:
            priority.date_done = None
        priority.save(update_fields=["status", "date_done", "outcome", "updated_at"])
    log_action(
        "priorities.priority.update_added",
        actor=actor,
        target=priority,
        data={"status": status, "date": date.isoformat(), "update": update.pk},
        request=request,
    )
    return update
