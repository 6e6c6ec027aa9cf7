"""The audit trail: one call records who did what to which thing.

Action names are dotted, `<app>.<thing>.<verb>` (e.g. "areas.neighbourhood.change",
"reports.report.view_personal_data"). `data` must not carry personal data beyond what the entry is about.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from openbeat.audit.models import AuditEntry
from openbeat.core.clientaddr import client_address
from openbeat.core.users import RequestUser


def _division_of(target: Any) -> Any:
    for attr in ("division", "neighbourhood"):
        value = getattr(target, attr, None)
        if value is None:
            continue
        if attr == "neighbourhood":
            return getattr(value, "division", None)
        return value
    return None


def audit_entry(
    action: str,
    *,
    actor: RequestUser | None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    division: Any = None,
) -> AuditEntry:
    """The entry `log_action` writes, unsaved (for `log_actions`, which writes many in one statement)."""
    if action.count(".") < 2:
        raise ValueError(f"Audit action names are <app>.<thing>.<verb>, got {action!r}")
    staff = actor if actor is not None and actor.is_authenticated else None
    entry = AuditEntry(
        action=action,
        actor=staff,
        actor_label=staff.get_username() if staff is not None else "",
        data=data or {},
        ip=client_address(request),
    )
    if target is not None:
        entry.target_type = target._meta.label_lower
        entry.target_id = str(target.pk)
        entry.target_label = str(target)[:200]
        division = division if division is not None else _division_of(target)
    if division is not None:
        entry.division = division
    return entry


def log_action(
    action: str,
    *,
    actor: RequestUser | None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    division: Any = None,
) -> AuditEntry:
    entry = audit_entry(action, actor=actor, target=target, data=data, request=request, division=division)
    entry.save()
    return entry


def log_actions(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Write several entries made by `audit_entry` in one statement (a batch of background work's outcomes)."""
    return AuditEntry.objects.bulk_create(entries)
