"""The back office's residents' concerns: a neighbourhood's month (every count, the chart and table, the comments),
for staff whose division it is (force-wide roles: all). "Make this a priority" opens the priority form pre-filled
with the source "Residents' concerns" and the month. Viewing comments is audit-logged."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from openbeat.audit.services import log_action
from openbeat.concerns import selectors
from openbeat.core.numbers import whole_number

PERMISSION = "concerns.view_concern_results"
PRIORITY_PERMISSION = "priorities.manage_priority"


def _int(value: str | None) -> int | None:
    return whole_number(value, max_digits=11)


def _priority_link(results: selectors.Results, concern: str) -> str:
    try:
        base = reverse("priorities_staff:add")
    except NoReverseMatch:  # the priorities app is not installed
        return ""
    query = {
        "neighbourhood": results.neighbourhood.pk,
        "source": "concerns",
        "reference": f"Residents' concerns, {results.month_label}",
        "issue": f"{concern}: raised by residents in {results.month_label}.",
    }
    return f"{base}?{urlencode(query)}"


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    neighbourhoods = selectors.neighbourhoods_for_staff(request.user)
    chosen_id = _int(request.GET.get("neighbourhood"))
    neighbourhood = None
    if chosen_id is not None:
        neighbourhood = neighbourhoods.filter(pk=chosen_id).first()
        if neighbourhood is None:
            raise PermissionDenied  # another division's, or none at all
    month = selectors.month_or_current(request.GET.get("month"))
    context: dict = {"neighbourhoods": neighbourhoods, "neighbourhood": neighbourhood, "month": month}
    if neighbourhood is not None:
        full = selectors.concern_results(neighbourhood, month)
        can_prioritise = request.user.has_perm(PRIORITY_PERMISSION)
        context.update(
            results=full,
            chart=full.chart_svg(),
            rows=[(row, _priority_link(full, row.concern) if can_prioritise else "") for row in full.rows],
            comments=list(selectors.comments(neighbourhood, month)),
            months=selectors.months_with_responses(neighbourhood),
        )
        log_action(
            "concerns.results.viewed",
            actor=request.user,
            data={"neighbourhood": neighbourhood.code, "month": month},
            division=neighbourhood.division,
            request=request,
        )
    return render(request, "concerns/staff/results.html", context)
