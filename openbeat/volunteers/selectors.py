"""Reads: counts within a staff user's scope, a division's month grid, growth over a period, and opportunities."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from openbeat.areas.models import Division
from openbeat.core.months import month_of, month_shift, month_start, months_between
from openbeat.core.users import RequestUser
from openbeat.staff.scope import scope_for
from openbeat.volunteers.models import Opportunity, Role, VolunteerCount

VIEW_COUNTS = "volunteers.view_counts"


@dataclass(frozen=True)
class Month:
    headcount: int
    joiners: int
    leavers: int


def divisions_for(user: RequestUser) -> QuerySet[Division]:
    """The divisions whose counts `user` may see: their own, or all for force-wide staff."""
    if user is None or not user.is_authenticated or not user.has_perm(VIEW_COUNTS):
        return Division.objects.none()
    return scope_for(user).filter(Division.objects.all(), field="pk")


def counts_for(user: RequestUser) -> QuerySet[VolunteerCount]:
    if user is None or not user.is_authenticated or not user.has_perm(VIEW_COUNTS):
        return VolunteerCount.objects.none()
    return scope_for(user).filter(VolunteerCount.objects.select_related("division"))


def month_grid(division: Division, year: int) -> list[tuple[datetime.date, dict[str, VolunteerCount | None]]]:
    """Each month of `year` with the division's count per role (None where nothing was entered)."""
    found = {
        (c.month, c.role): c
        for c in VolunteerCount.objects.filter(division=division, month__year=year).select_related("entered_by")
    }
    months = [datetime.date(year, n, 1) for n in range(1, 13)]
    return [(m, {role: found.get((m, role)) for role in Role.values}) for m in months]


def monthly_totals(
    *, first_month: str, last_month: str, division_code: str | None = None
) -> dict[str, dict[str, Month]]:
    """{role: {"YYYY-MM": Month}} summed over the divisions (one division's when given), in one query."""
    rows = VolunteerCount.objects.filter(month__gte=month_start(first_month), month__lte=month_start(last_month))
    if division_code is not None:
        rows = rows.filter(division__code=division_code)
    out: dict[str, dict[str, Month]] = defaultdict(dict)
    for r in rows.values("role", "month").annotate(h=Sum("headcount"), j=Sum("joiners"), le=Sum("leavers")).order_by():
        out[r["role"]][month_of(r["month"])] = Month(r["h"], r["j"], r["le"])
    return dict(out)


def headcounts_by_division(*, month: str) -> dict[str, dict[str, int]]:
    """{division code: {role: headcount}} at the end of `month`."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for code, role, headcount in VolunteerCount.objects.filter(month=month_start(month)).values_list(
        "division__code", "role", "headcount"
    ):
        out[code][role] = headcount
    return dict(out)


@dataclass(frozen=True)
class Growth:
    role: str
    label: str
    opening: int | None  # headcount at the end of the month before the period
    closing: int | None  # headcount at the end of the period's last month
    joiners: int
    leavers: int

    @property
    def change(self) -> int | None:
        return self.closing - self.opening if self.opening is not None and self.closing is not None else None

    @property
    def growth_pct(self) -> float | None:
        if self.change is None or not self.opening:
            return None
        return round(self.change / self.opening * 100, 1)


def growth(*, first_month: str, last_month: str, division_code: str | None = None) -> list[Growth]:
    """Per role: headcount before and at the end of the period, joiners and leavers during it.

    The opening figure is the month before the period's first (a year from January is growth since the end of
    December), as a board compares stocks at two moments.
    """
    before = month_shift(first_month, -1)
    totals = monthly_totals(first_month=before, last_month=last_month, division_code=division_code)
    months = months_between(first_month, last_month)
    out = []
    for role, label in Role.choices:
        by_month = totals.get(role, {})
        opening, closing = by_month.get(before), by_month.get(last_month)
        out.append(
            Growth(
                role=role,
                label=str(label),
                opening=opening.headcount if opening else None,
                closing=closing.headcount if closing else None,
                joiners=sum(by_month[m].joiners for m in months if m in by_month),
                leavers=sum(by_month[m].leavers for m in months if m in by_month),
            )
        )
    return out


def latest_month() -> str | None:
    """The newest month with any count, as "YYYY-MM"."""
    found = VolunteerCount.objects.order_by("-month").values_list("month", flat=True).first()
    return month_of(found) if found else None


def public_opportunities(today: datetime.date | None = None) -> QuerySet[Opportunity]:
    """Live opportunities still open, closing soonest first (those always open last)."""
    today = today or timezone.localdate()
    return (
        Opportunity.objects.filter(live=True)
        .filter(Q(closes_on__isnull=True) | Q(closes_on__gte=today))
        .select_related("division")
        .order_by("closes_on", "title")
    )


def opportunities_for(user: RequestUser) -> QuerySet[Opportunity]:
    """What a staff user sees in the back office: their division's and the force-wide ones (all for HQ)."""
    if user is None or not user.is_authenticated or not user.has_perm("volunteers.manage_opportunity"):
        return Opportunity.objects.none()
    scope = scope_for(user)
    queryset = Opportunity.objects.select_related("division").order_by("-updated_at")
    if scope.force_wide:
        return queryset
    return queryset.filter(Q(division__in=scope.division_ids) | Q(division__isnull=True))


def join_us_url() -> str:
    """Where "Register your interest" goes: Do It Online's active "Join us" report type, else its start page."""
    from openbeat.reports.models import ReportType

    join = ReportType.objects.filter(active=True, kind=ReportType.Kind.JOIN).order_by("pk").first()
    if join is not None:
        return reverse("reports:start", kwargs={"slug": join.slug})
    return reverse("reports:index")
