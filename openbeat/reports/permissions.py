"""Who may see and handle which reports: the one place every reports view and service asks.

- Reports of a type with a `handling_group` (complaints to Professional Standards, say) are seen only by that
  group's members and administrators, force-wide, and by nobody else whatever their division.
- Other reports: staff with `reports.triage_report` see those of their divisions (`staff.scope.scope_for`);
  force-wide roles (contact centre, HQ) also see the force-wide queue (reports with no division).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from openbeat.core.users import RequestUser
from openbeat.reports.models import Report, ReportType
from openbeat.staff.scope import scope_for


def _group_ids(user: RequestUser) -> set[int]:
    cached = getattr(user, "_openbeat_group_ids", None)
    if cached is None:
        cached = set(user.groups.values_list("id", flat=True))
        user._openbeat_group_ids = cached  # type: ignore[union-attr]  # cached on the request's user object
    return cached


def can_triage(user: RequestUser) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.has_perm("reports.triage_report"))


def handling_group_ids(user: RequestUser) -> set[int]:
    """The ids of the user's groups (cached on the user for the request)."""
    return _group_ids(user)


def _type_ids(user: RequestUser) -> tuple[list[int], list[int], bool]:
    """(types handled by one of the user's teams, ordinary types): the report-type table is small, so the
    split is made here and the queue's query filters on report_type_id alone, with no join to the types
    (a join made SQLite walk a million reports by type instead of using the queue's index). The third value
    says whether some type is closed to the user. Not cached: a type made during a request must count."""
    mine, ordinary = [], []
    closed = False
    groups = _group_ids(user)
    for type_id, group_id in ReportType.objects.values_list("pk", "handling_group_id"):
        if group_id is None:
            ordinary.append(type_id)
        elif group_id in groups:
            mine.append(type_id)
        else:
            closed = True
    return mine, ordinary, closed


def reports_for(user: RequestUser, queryset: QuerySet[Report] | None = None) -> QuerySet[Report]:
    """The reports `user` may see (and handle), as a queryset to filter further."""
    queryset = queryset if queryset is not None else Report.objects.all()
    if not can_triage(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    mine, ordinary_types, closed = _type_ids(user)
    scope = scope_for(user)
    if scope.force_wide:
        # No type filter at all when nothing is closed to the user: the queue's index then serves the page.
        return queryset.filter(report_type_id__in=mine + ordinary_types) if closed else queryset
    ordinary = Q(report_type_id__in=ordinary_types, division__in=scope.division_ids)
    return queryset.filter(Q(report_type_id__in=mine) | ordinary) if mine else queryset.filter(ordinary)


def can_handle(user: RequestUser, report: Report) -> bool:
    if not can_triage(user):
        return False
    if user.is_superuser:
        return True
    report_type: ReportType = report.report_type
    if report_type.handling_group_id is not None:
        return report_type.handling_group_id in _group_ids(user)
    scope = scope_for(user)
    if scope.force_wide:
        return True
    return report.division_id is not None and report.division_id in scope.division_ids


def can_open_evidence(user: RequestUser, report: Report) -> bool:
    return can_handle(user, report) and user.has_perm("reports.view_evidence")
