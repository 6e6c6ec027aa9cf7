"""Reads of the audit trail, unscoped: who may read which entries is decided above (staff.selectors)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from openbeat.audit.models import AuditEntry


def audit_entries(*, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """Every entry, narrowed by the browser's filters (all optional), newest first."""
    entries = AuditEntry.objects.select_related("actor", "division")
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
