from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.staff.scope import scope_for


def audit_entries_for(user: Any, *, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The entries `user` may read, narrowed by the browser's filters (all optional)."""
    entries = scope_for(user).filter(AuditEntry.objects.select_related("actor", "division"), "division")
    if action := filters.get("action"):
        entries = entries.filter(action__startswith=action)
    if actor := filters.get("actor"):
        entries = entries.filter(actor_label__iexact=actor)
    if target_type := filters.get("target_type"):
        entries = entries.filter(target_type=target_type)
    if target_id := filters.get("target_id"):
        entries = entries.filter(target_id=target_id)
    if division := filters.get("division"):
        entries = entries.filter(division=division)
    tz = timezone.get_current_timezone()
    if isinstance(start := filters.get("date_from"), date):
        entries = entries.filter(at__gte=datetime.combine(start, time.min, tzinfo=tz))
    if isinstance(end := filters.get("date_to"), date):
        entries = entries.filter(at__lte=datetime.combine(end, time.max, tzinfo=tz))
    return entries.order_by("-at", "-pk")
