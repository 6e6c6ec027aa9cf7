"""Back office: the engagement gap map (a choropleth and the same figures as a table), with CSV and GeoJSON.

Aggregate figures only, no personal data. Staff limited to some divisions see those divisions' neighbourhoods.
"""

from __future__ import annotations

import csv
import json
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from openbeat.areas.models import Division, Neighbourhood
from openbeat.audit.services import log_action
from openbeat.insights.gapmap import DEFAULT_METRIC, GapMap, gap_map
from openbeat.insights.periods import month_range
from openbeat.staff.scope import scope_for


def _divisions(request: HttpRequest) -> list[Division]:
    return list(scope_for(request.user).filter(Division.objects.order_by("name"), field="pk"))


def _build(request: HttpRequest) -> tuple[GapMap, list[Division], Division | None]:
    first, last = month_range(request.GET)
    divisions = _divisions(request)
    chosen = next((d for d in divisions if d.code == request.GET.get("division")), None)
    scope = scope_for(request.user)
    if chosen is None and not scope.force_wide:
        chosen = divisions[0] if divisions else None
    metric = request.GET.get("metric") or DEFAULT_METRIC
    result = gap_map(metric=metric[:60], first_month=first, last_month=last, division_id=chosen.pk if chosen else None)
    if not scope.force_wide and chosen is None:
        result.rows = []
    return result, divisions, chosen


def _number(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"


@permission_required("insights.view_insights", raise_exception=True)
@never_cache
def gapmap_page(request: HttpRequest) -> HttpResponse:
    result, divisions, chosen = _build(request)
    query = request.GET.urlencode()
    return render(
        request,
        "insights/gapmap.html",
        {"map": result, "divisions": divisions, "chosen": chosen, "query": query, "params": request.GET},
    )


@permission_required("insights.view_insights", raise_exception=True)
def gapmap_csv(request: HttpRequest) -> HttpResponse:
    result, _, chosen = _build(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gap-map-{result.metric}-{result.last_month}.csv"'
    writer = csv.writer(response)
    if result.is_score:
        writer.writerow(["neighbourhood_code", "neighbourhood", "division", result.metric, "share_of_force_score",
                         "flagged"])  # fmt: skip
        for row in result.rows:
            writer.writerow([row.code, row.name, row.division,
                             "too few responses" if row.too_few else _number(row.value, 1),
                             _number(row.share_of_force, 2), "yes" if row.flagged else "no"])  # fmt: skip
        log_action("insights.gapmap.export", actor=request.user, data={"format": "csv", "metric": result.metric},
                   request=request, division=chosen)  # fmt: skip
        return response
    writer.writerow(["neighbourhood_code", "neighbourhood", "division", "population", result.metric,
                     "per_1000", "share_of_force_rate", "flagged"])  # fmt: skip
    for row in result.rows:
        writer.writerow([
            row.code, row.name, row.division,
            "" if row.population is None else row.population,
            _number(row.value, 0), _number(row.rate, 2), _number(row.share_of_force, 2),
            "no population data" if row.population is None else ("yes" if row.flagged else "no"),
        ])  # fmt: skip
    log_action("insights.gapmap.export", actor=request.user, data={"format": "csv", "metric": result.metric},
               request=request, division=chosen)  # fmt: skip
    return response


@permission_required("insights.view_insights", raise_exception=True)
def gapmap_geojson(request: HttpRequest) -> HttpResponse:
    result, _, chosen = _build(request)
    boundaries = dict(
        Neighbourhood.objects.filter(code__in=[row.code for row in result.rows]).values_list("code", "boundary")
    )
    features: list[dict[str, Any]] = []
    for row in result.rows:
        features.append({
            "type": "Feature",
            "geometry": boundaries.get(row.code),
            "properties": {
                "code": row.code, "name": row.name, "division": row.division, "population": row.population,
                "value": None if row.value is None else round(row.value, 1),
                "per_1000": None if row.rate is None else round(row.rate, 2),
                "share_of_force_rate": None if row.share_of_force is None else round(row.share_of_force, 3),
                "flagged": row.flagged,
                "no_population_data": row.population is None and not result.is_score,
                "kind": result.kind, "too_few_responses": row.too_few,
            },
        })  # fmt: skip
    body = {
        "type": "FeatureCollection",
        "metric": result.metric,
        "first_month": result.first_month,
        "last_month": result.last_month,
        "force_per_1000": None if result.force_rate is None or result.is_score else round(result.force_rate, 2),
        "force_score": round(result.force_rate, 1) if result.is_score and result.force_rate is not None else None,
        "features": features,
    }
    if request.GET.get("download"):
        log_action("insights.gapmap.export", actor=request.user, data={"format": "geojson", "metric": result.metric},
                   request=request, division=chosen)  # fmt: skip
        response = HttpResponse(json.dumps(body), content_type="application/geo+json")
        response["Content-Disposition"] = f'attachment; filename="gap-map-{result.metric}-{result.last_month}.geojson"'
        return response
    return JsonResponse(body, content_type="application/geo+json")
