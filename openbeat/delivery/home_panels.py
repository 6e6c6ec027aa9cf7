"""Delivery's panels on the staff home (staff.home finds this module): urgent replies waiting, and last week's
results. Replies come through `selectors.replies_for` and alerts through `alerts.selectors.alerts_for`, both
scoped to the user's division (force-wide staff: all); the figures are `alert_figures` (one batched read for
the panel), shown as `alerts.disclosure` allows for an alert targeted by a demographic group."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openbeat.alerts import disclosure
from openbeat.alerts.models import Alert
from openbeat.alerts.selectors import alerts_for
from openbeat.core.users import RequestUser
from openbeat.delivery.models import Reply
from openbeat.delivery.selectors import alert_figures, urgent_waiting
from openbeat.staff.home import HomePanel, PanelRow, register

WEEK = dt.timedelta(days=7)


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%-d %b %H:%M") if value else ""


def urgent_rows(user: RequestUser, now: dt.datetime, limit: int) -> list[PanelRow]:
    """Urgent replies nobody has picked up yet, oldest first: what the menu's count counts."""
    replies = urgent_waiting(user).select_related("alert", "division")[:limit]
    return [
        PanelRow(
            text=f"Reply to “{reply.alert.title}”",
            url=reverse("delivery_staff:reply", args=[reply.pk]),
            detail=f"{reply.division.name if reply.division else 'Force-wide'} · received {_when(reply.created_at)}"
            + (f" · words: {reply.triggers}" if reply.triggers else ""),
            badge="Urgent" if reply.state == Reply.State.NEW else f"Urgent, {reply.get_state_display().lower()}",
            tone="red" if reply.state == Reply.State.NEW else "amber",
        )
        for reply in replies
    ]


def results_rows(user: RequestUser, now: dt.datetime, limit: int) -> list[PanelRow]:
    """Alerts sent in the last seven days, newest first, with how many were delivered and opened."""
    alerts = list(
        alerts_for(user)
        .filter(state__in=[Alert.State.SENT, Alert.State.SENDING], sent_at__gte=now - WEEK)
        .order_by("-sent_at", "-pk")[:limit]
    )
    # One batched read for all of them (never delivery_stats per alert), shown as alerts.disclosure allows.
    figures = alert_figures(alerts, n=disclosure.threshold())
    rows = []
    for alert in alerts:
        parts = [f"sent {_when(alert.sent_at)}"]
        for key, words in (("delivered", "delivered"), ("opened", "opened")):
            figure = figures[alert.pk].get(key)
            if figure is not None:  # "opened" only with open tracking on; no states for a demographic group
                parts.append(f"{figure.shown} {words}")
        rows.append(
            PanelRow(
                text=alert.title,
                url=reverse("delivery_staff:alert_delivery", args=[alert.pk]),
                detail=" · ".join(parts),
            )
        )
    return rows


register(
    HomePanel(
        key="urgent_replies",
        title="Urgent replies",
        order=10,
        is_shown=lambda user: bool(user.has_perm("delivery.view_reply")),
        rows=urgent_rows,
        link_url=lambda: reverse("delivery_staff:replies") + "?urgent=yes",
        link_text="All urgent replies",
        empty_text="No urgent replies are waiting.",
    )
)
register(
    HomePanel(
        key="last_week",
        title="Last week's results",
        order=60,
        is_shown=lambda user: bool(user.has_perm("alerts.view_alert")),
        rows=results_rows,
        link_url=lambda: reverse("alerts_staff:list") + "?state=sent",
        link_text="All sent alerts",
        empty_text="No alerts were sent in the last seven days.",
    )
)
