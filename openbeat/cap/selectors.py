"""Reads of urgent warnings: what staff may see, and what the public Atom index lists."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.cap.models import CapMessage, UrgentWarning
from openbeat.core.users import RequestUser
from openbeat.staff.scope import scope_for

# Aggregators read an entry's disappearance as a cancellation: cancelled and expired warnings stay listed for
# 24 to 48 hours (the CAP publishers' practice the issue names). A setting outside that range is brought inside.
MIN_RETENTION_HOURS, MAX_RETENTION_HOURS = 24, 48


def retention() -> timedelta:
    hours = int(getattr(settings, "CAP_INDEX_RETENTION_HOURS", MIN_RETENTION_HOURS))
    return timedelta(hours=min(max(hours, MIN_RETENTION_HOURS), MAX_RETENTION_HOURS))


def warnings_for(user: RequestUser) -> QuerySet[UrgentWarning]:
    """The warnings a staff user may see: about the alerts of their division (force-wide staff: all)."""
    if user is None or not user.is_authenticated or not user.has_perm("cap.issue_warning"):
        return UrgentWarning.objects.none()
    queryset = UrgentWarning.objects.select_related("alert", "alert__division")
    scope = scope_for(user)
    if scope.force_wide:
        return queryset
    # As the alerts app decides: an alert to the whole force, or owned by no division, is for force-wide staff.
    return scope.filter(queryset.filter(alert__force_wide=False), "alert__division")


def alerts_to_warn(user: RequestUser, limit: int = 20) -> list[Alert]:
    """Recently sent alerts in the user's scope that are not yet urgent warnings, newest first."""
    if user is None or not user.is_authenticated or not user.has_perm("cap.issue_warning"):
        return []
    queryset = Alert.objects.filter(state=Alert.State.SENT, cap_warning__isnull=True).select_related("division")
    scope = scope_for(user)
    if not scope.force_wide:
        queryset = scope.filter(queryset.filter(force_wide=False), "division")
    return list(queryset.order_by("-sent_at", "-pk")[:limit])


def index_messages(now: datetime | None = None) -> list[CapMessage]:
    """The Atom index: the latest message of each warning still current, or cancelled or expired within the
    retention window; newest first."""
    now = now or timezone.now()
    cutoff = now - retention()
    # Warnings with a message in the window; then each one's latest message, wherever that falls (an update
    # may have brought the expiry forward).
    recent = CapMessage.objects.filter(Q(expires_at__gte=cutoff) | Q(sent_at__gte=cutoff)).values("warning_id")
    latest: dict[int, CapMessage] = {}
    for message in (
        CapMessage.objects.filter(warning_id__in=recent)
        .select_related("warning")
        .order_by("warning_id", "sent_at", "pk")
    ):
        latest[message.warning_id] = message  # ordered: the last one seen is the latest
    kept = []
    for message in latest.values():
        if message.msg_type == CapMessage.MsgType.CANCEL:
            if message.sent_at >= cutoff:
                kept.append(message)
        elif message.expires_at >= cutoff:
            kept.append(message)
    return sorted(kept, key=lambda m: (m.sent_at, m.pk), reverse=True)
