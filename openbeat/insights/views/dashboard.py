"""Back office: the insights dashboard (board viewers and up). Aggregate figures only, no personal data.

Staff limited to some divisions see their division's figures; the board and HQ see the force and can filter.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from openbeat.areas.models import Division
from openbeat.insights.dashboard import dashboard_build
from openbeat.insights.periods import month_range
from openbeat.insights.render.charts import chart_svg
from openbeat.staff.scope import scope_for


@permission_required("insights.view_insights", raise_exception=True)
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    first, last = month_range(request.GET, default_months=3)
    scope = scope_for(request.user)
    divisions = list(scope.filter(Division.objects.order_by("name"), field="pk"))
    chosen = next((d for d in divisions if d.code == request.GET.get("division")), None)
    if chosen is None and not scope.force_wide:
        chosen = divisions[0] if divisions else None
    board = dashboard_build(first=first, last=last, division=chosen) if (chosen or scope.force_wide) else None
    charts = []
    if board is not None:
        # chart_svg's output is our own SVG with no scripts or styles (render/charts.py): safe to inline.
        charts = [
            mark_safe(chart_svg(chart, id_prefix=f"dash-{n}"))
            for n, chart in enumerate([board.followers_chart, board.website_chart])
            if chart is not None
        ]
    return render(
        request,
        "insights/dashboard.html",
        {
            "board": board,
            "charts": charts,
            "divisions": divisions,
            "chosen": chosen,
            "force_wide": scope.force_wide,
            "first": first,
            "last": last,
        },
    )
