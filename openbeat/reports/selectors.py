"""Reads for the triage queue and a report's back-office page.

Everything starts from `permissions.reports_for(user)`, so a report outside the user's scope is never listed
or counted. The queue has to stay quick with a million reports in the table, so:

- the list is ordered by `sla_red_at` after a `status` (and, for division staff, `division`) filter, which is
  exactly the leading columns of the `report_queue_idx` / `report_queue_all_idx` indexes;
- pages are fetched with OFFSET/LIMIT and one row more than shown (to know whether there is a next page),
  never a COUNT(*) of the filtered set;
- the counts per status are capped: each is a COUNT over a LIMITed subquery, so it reads at most
  `COUNT_CAP + 1` index entries however many closed reports have piled up, and shows "1,000+" beyond that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.users import RequestUser
from openbeat.reports.models import Report, ReportEvent, ReportType
from openbeat.reports.permissions import can_handle, handling_group_ids, reports_for
from openbeat.staff.scope import scope_for

Status = Report.Status
PAGE_SIZE = 50
COUNT_CAP = 1000
# Age filter: key -> (label, "older" or "newer", days).
AGES: dict[str, tuple[str, str, int]] = {
    "lt1": ("Less than a day old", "newer", 1),
    "gt1": ("Over a day old", "older", 1),
    "gt7": ("Over a week old", "older", 7),
    "gt30": ("Over 30 days old", "older", 30),
}
SLA_STATES = {"ok": "Within time", "amber": "Due soon (amber)", "red": "Overdue (red)"}
NO_DIVISION = "none"


def sla_state(report: Report, now: dt.datetime) -> str:
    """ "ok", "amber" or "red" for an open report by its SLA times; "closed" once it is closed."""
    if report.status == Status.CLOSED:
        return "closed"
    if now >= report.sla_red_at:
        return "red"
    if now >= report.sla_amber_at:
        return "amber"
    return "ok"


def _filtered(
    user: RequestUser, filters: Mapping[str, Any], now: dt.datetime, *, status: bool = True
) -> QuerySet[Report]:
    """The user's reports narrowed by the queue's filters (all optional; unknown keys ignored).

    filters: report_type (ReportType), status ("open", "all" or a Status; default "open"), division (Division or
    NO_DIVISION), neighbourhood (Neighbourhood), age (a key of AGES), assigned ("me" or "unassigned"),
    sla (a key of SLA_STATES: open reports only).
    """
    reports = reports_for(user)
    if status:
        wanted = filters.get("status") or "open"
        if wanted == "open":
            # `<> closed` rather than IN (the open ones): what a partial index on open reports would match.
            reports = reports.exclude(status=Status.CLOSED)
        elif wanted in Status.values:
            reports = reports.filter(status=wanted)
    if report_type := filters.get("report_type"):
        reports = reports.filter(report_type=report_type)
    division = filters.get("division")
    if division == NO_DIVISION:
        reports = reports.filter(division__isnull=True)
    elif division:
        reports = reports.filter(division=division)
    if neighbourhood := filters.get("neighbourhood"):
        reports = reports.filter(neighbourhood=neighbourhood)
    if age := AGES.get(filters.get("age") or ""):
        _, direction, days = age
        cutoff = now - dt.timedelta(days=days)
        reports = (
            reports.filter(created_at__gt=cutoff) if direction == "newer" else reports.filter(created_at__lte=cutoff)
        )
    assigned = filters.get("assigned")
    if assigned == "me":
        reports = reports.filter(assigned_to=user.pk)
    elif assigned == "unassigned":
        reports = reports.filter(assigned_to__isnull=True, assigned_team="")
    sla = filters.get("sla")
    if sla in SLA_STATES:
        reports = reports.exclude(status=Status.CLOSED)
        if sla == "red":
            reports = reports.filter(sla_red_at__lte=now)
        elif sla == "amber":
            reports = reports.filter(sla_amber_at__lte=now, sla_red_at__gt=now)
        else:
            reports = reports.filter(sla_amber_at__gt=now)
    return reports


def queue_for(user: RequestUser, filters: Mapping[str, Any], now: dt.datetime) -> QuerySet[Report]:
    """The queue, most urgent first (the earliest red time); closed reports most recently due first."""
    reports = _filtered(user, filters, now)
    order = ["-sla_red_at", "-id"] if filters.get("status") == Status.CLOSED else ["sla_red_at", "id"]
    return reports.select_related("report_type", "division", "neighbourhood", "assigned_to").order_by(*order)


@dataclass(frozen=True)
class QueuePage:
    reports: list[Report]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def queue_page(reports: QuerySet[Report], number: Any, per_page: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue without counting the whole filtered set (see the module's docstring)."""
    try:
        page = max(1, int(number))
    except (TypeError, ValueError):
        page = 1
    start = (page - 1) * per_page
    rows = list(reports[start : start + per_page + 1])
    return QueuePage(reports=rows[:per_page], number=page, has_next=len(rows) > per_page)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    capped: bool

    @property
    def display(self) -> str:
        return f"{self.count:,}+" if self.capped else f"{self.count:,}"


def status_counts(
    user: RequestUser, filters: Mapping[str, Any], now: dt.datetime, *, cap: int = COUNT_CAP
) -> list[StatusCount]:
    """How many reports of each status match the other filters, each count capped at `cap` (one small query
    per status, led by the queue's index)."""
    base = _filtered(user, filters, now, status=False).order_by()
    counts = []
    for value, label in Status.choices:
        n = base.filter(status=value).values("pk")[: cap + 1].count()
        counts.append(StatusCount(status=value, label=str(label), count=min(n, cap), capped=n > cap))
    return counts


def report_types_for(user: RequestUser) -> QuerySet[ReportType]:
    """The report types whose reports the user may see: the queue's type filter."""
    types = ReportType.objects.order_by("sort_order", "name")
    if user.is_superuser:
        return types
    return types.filter(Q(handling_group__isnull=True) | Q(handling_group__in=handling_group_ids(user)))


def divisions_for(user: RequestUser) -> QuerySet[Division]:
    return scope_for(user).filter(Division.objects.order_by("name"), field="pk")


def neighbourhoods_for(user: RequestUser) -> QuerySet[Neighbourhood]:
    return scope_for(user).filter(Neighbourhood.objects.order_by("name"))


def report_detail(user: RequestUser, pk: int) -> Report | None:
    """The report with what its page shows, or None when it does not exist or is outside the user's scope."""
    related = ("report_type", "division", "neighbourhood", "assigned_to", "named_officer")
    return reports_for(user).select_related(*related).filter(pk=pk).first()


def report_timeline(report: Report) -> list[ReportEvent]:
    return list(report.events.select_related("author").order_by("created_at", "id"))


def report_assignees(report: Report) -> list[Any]:
    """Active staff who may handle this report, by name: narrowed in SQL, then each checked by `can_handle`
    (the one rule), so the list never offers someone the assign service would refuse."""
    triage = Permission.objects.get(content_type__app_label="reports", codename="triage_report")
    candidates = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions=triage) | Q(user_permissions=triage))
    )
    if report.report_type.handling_group_id is not None:
        candidates = candidates.filter(Q(is_superuser=True) | Q(groups=report.report_type.handling_group_id))
    else:
        force_wide = Permission.objects.get(content_type__app_label="staff", codename="force_wide")
        in_scope = Q(is_superuser=True) | Q(groups__permissions=force_wide) | Q(user_permissions=force_wide)
        if report.division_id is not None:
            in_scope |= Q(staff_profile__division=report.division_id)
        candidates = candidates.filter(in_scope)
    ordered = candidates.distinct().order_by("first_name", "last_name", "username")
    return [user for user in ordered if can_handle(user, report)]
