"""Public neighbourhood pages: find by postcode, the neighbourhood page, the force map, and GeoJSON."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from openbeat.areas import selectors
from openbeat.areas.forms import FindNeighbourhoodForm
from openbeat.areas.models import Neighbourhood
from openbeat.areas.sections import neighbourhood_sections
from openbeat.core.ratelimit import ratelimit


def _map_context() -> dict[str, str]:
    return {"map_tile_url": settings.MAP_TILE_URL, "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION}


@require_GET
def find(request: HttpRequest) -> HttpResponse:
    # Only a look-up counts against the limit: the empty search page is the same for everyone.
    if "postcode" in request.GET:
        return _find_postcode(request)
    return render(request, "areas/find.html", {"form": FindNeighbourhoodForm(None)})


@ratelimit(key="find-neighbourhood", limit=60, period=60)
def _find_postcode(request: HttpRequest) -> HttpResponse:
    form = FindNeighbourhoodForm(request.GET)
    if form.is_valid():
        assert form.location is not None
        return redirect(form.location.neighbourhood)
    return render(request, "areas/find.html", {"form": form})


def _neighbourhood_or_404(code: str) -> Neighbourhood:
    # A NUL in the URL would reach PostgreSQL, which refuses it in text (a 500): no code holds one.
    if "\x00" in code:
        raise Http404("No such neighbourhood")
    return get_object_or_404(Neighbourhood.objects.select_related("division"), code=code)


@require_GET
def neighbourhood_detail(request: HttpRequest, code: str) -> HttpResponse:
    neighbourhood = _neighbourhood_or_404(code)
    return render(
        request,
        "areas/neighbourhood_detail.html",
        {
            "neighbourhood": neighbourhood,
            # The team (staff) and later apps' parts of the page: see areas.sections.
            "sections": neighbourhood_sections(neighbourhood),
            "stations": selectors.neighbourhood_stations(neighbourhood),
            "postcode": request.GET.get("postcode", ""),
            **_map_context(),
        },
    )


@require_GET
def force_map(request: HttpRequest) -> HttpResponse:
    return render(
        request, "areas/force_map.html", {"by_division": selectors.neighbourhoods_by_division(), **_map_context()}
    )


@require_GET
def boundary_geojson(request: HttpRequest, code: str) -> JsonResponse:
    neighbourhood = _neighbourhood_or_404(code)
    response = JsonResponse(selectors.neighbourhood_feature(neighbourhood), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def neighbourhoods_geojson(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(selectors.neighbourhoods_feature_collection(), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=3600"
    return response
