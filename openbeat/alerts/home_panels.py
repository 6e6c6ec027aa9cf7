"""In the Know's panels on the staff home (staff.home finds this module): alerts awaiting my approval, and my
scheduled alerts. Both start from `selectors.alerts_for` (the user's scope), and approval asks `alert_can`, the
same rule the approve button and service use: never the user's own alert, a force-wide one only for force-wide
approvers."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openbeat.alerts.models import Alert, Priority
from openbeat.alerts.selectors import alert_can, alerts_for
from openbeat.core.users import RequestUser
from openbeat.staff.home import HomePanel, PanelRow, register


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%-d %b %H:%M") if value else ""


def _area(alert: Alert) -> str:
    if alert.force_wide or alert.division is None:
        return "Whole force"
    return alert.division.name


def awaiting_rows(user: RequestUser, now: dt.datetime, limit: int) -> list[PanelRow]:
    """Alerts submitted for approval that this user may approve, oldest submission first."""
    candidates = (
        alerts_for(user)
        .filter(state=Alert.State.AWAITING_APPROVAL)
        .exclude(created_by=user.pk)
        .order_by("submitted_at", "pk")
    )
    rows = []
    for alert in candidates[: limit * 4]:  # a few may fail the finer rule (force-wide alerts)
        if alert_can(user, alert, "approve"):
            author = (alert.created_by.get_full_name() or alert.created_by.get_username()) if alert.created_by else ""
            pressing = alert.priority > Priority.NORMAL
            rows.append(
                PanelRow(
                    text=alert.title,
                    url=reverse("alerts_staff:detail", args=[alert.pk]),
                    detail=f"{_area(alert)} · from {author or 'someone no longer here'}"
                    f" · submitted {_when(alert.submitted_at)}",
                    badge=alert.get_priority_display() if pressing else "",
                    tone="red" if pressing else "",
                )
            )
        if len(rows) == limit:
            break
    return rows


def scheduled_rows(user: RequestUser, now: dt.datetime, limit: int) -> list[PanelRow]:
    """The user's own alerts approved to go out later, soonest first."""
    alerts = (
        alerts_for(user)
        .filter(created_by=user.pk, state=Alert.State.APPROVED, send_at__gt=now)
        .order_by("send_at", "pk")[:limit]
    )
    return [
        PanelRow(
            text=alert.title,
            url=reverse("alerts_staff:detail", args=[alert.pk]),
            detail=f"{_area(alert)} · sends {_when(alert.send_at)}",
        )
        for alert in alerts
    ]


register(
    HomePanel(
        key="alerts_awaiting_approval",
        title="Alerts awaiting my approval",
        order=40,
        is_shown=lambda user: bool(user.has_perm("alerts.approve_alert") and user.has_perm("alerts.view_alert")),
        rows=awaiting_rows,
        link_url=lambda: reverse("alerts_staff:list") + "?state=awaiting_approval",
        link_text="All alerts awaiting approval",
        empty_text="No alerts are waiting for your approval.",
    )
)
register(
    HomePanel(
        key="alerts_scheduled",
        title="My scheduled alerts",
        order=50,
        is_shown=lambda user: bool(user.has_perm("alerts.send_alert") and user.has_perm("alerts.view_alert")),
        rows=scheduled_rows,
        link_url=lambda: reverse("alerts_staff:list") + "?state=approved",
        link_text="All approved alerts",
        empty_text="You have no alerts scheduled to send.",
    )
)
