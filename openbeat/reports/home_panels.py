"""Do It Online's panels on the staff home (staff.home finds this module): new reports waiting for triage, and
open reports past their amber or red time. Both read through `selectors.queue_for`, so they list only what the
user's queue would (their division's, their team's types; force-wide staff everything)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openbeat.core.users import RequestUser
from openbeat.reports import selectors
from openbeat.reports.models import Report
from openbeat.reports.permissions import can_triage
from openbeat.staff.home import HomePanel, PanelRow, register

SLA_BADGES = {"red": "Overdue (red)", "amber": "Due soon (amber)", "ok": "Within time"}


def _where(report: Report) -> str:
    division = report.division.name if report.division else "Force-wide"
    return f"{report.neighbourhood.name}, {division}" if report.neighbourhood else division


def _row(report: Report, now: dt.datetime) -> PanelRow:
    state = selectors.sla_state(report, now)
    received = timezone.localtime(report.created_at).strftime("%-d %b %H:%M")
    return PanelRow(
        text=report.reference,
        url=reverse("reports_staff:report", args=[report.pk]),
        detail=f"{report.report_type.name} · {_where(report)} · received {received}",
        badge=SLA_BADGES.get(state, ""),
        tone=state,
    )


def waiting_rows(user: RequestUser, now: dt.datetime, limit: int) -> list[PanelRow]:
    """New reports (not yet triaged), most urgent first."""
    reports = selectors.queue_for(user, {"status": Report.Status.NEW}, now)[:limit]
    return [_row(report, now) for report in reports]


def overdue_rows(user: RequestUser, now: dt.datetime, limit: int) -> list[PanelRow]:
    """Open reports past their amber time (red ones first: the queue is ordered by the red time)."""
    reports = selectors.queue_for(user, {}, now).filter(sla_amber_at__lte=now)[:limit]
    return [_row(report, now) for report in reports]


register(
    HomePanel(
        key="reports_waiting",
        title="Reports waiting",
        order=20,
        is_shown=can_triage,
        rows=waiting_rows,
        link_url=lambda: reverse("reports_staff:queue") + "?status=new",
        link_text="All new reports in the triage queue",
        empty_text="No new reports are waiting.",
    )
)
register(
    HomePanel(
        key="reports_overdue",
        title="Overdue and due soon",
        order=30,
        is_shown=can_triage,
        rows=overdue_rows,
        link_url=lambda: reverse("reports_staff:queue"),
        link_text="The triage queue, most urgent first",
        empty_text="No open report is overdue or due soon.",
    )
)
