"""`{force}/neighbourhoods`, `{force}/{neighbourhood}` and its boundary, people, events and priorities, and
`locate-neighbourhood?q=lat,lng`. A wrong force or neighbourhood id is data.police.uk's 404."""

from __future__ import annotations

import math
from typing import Any

from django.http import HttpRequest

from openbeat.areas.models import Neighbourhood
from openbeat.opendata import selectors
from openbeat.opendata.http import JsonData, api_view, bad_request, not_found


def _neighbourhood(force: str, neighbourhood: str) -> Neighbourhood:
    if selectors.force_for(force) is None:
        raise not_found()
    found = selectors.neighbourhood_for(neighbourhood)
    if found is None:
        raise not_found()
    return found


@api_view()
def neighbourhood_list(request: HttpRequest, force: str) -> list[dict[str, str]]:
    if selectors.force_for(force) is None:
        raise not_found()
    return selectors.neighbourhoods()


@api_view()
def neighbourhood_detail(request: HttpRequest, force: str, neighbourhood: str) -> dict[str, Any]:
    found = _neighbourhood(force, neighbourhood)
    base_url = f"{request.scheme}://{request.get_host()}"
    return selectors.neighbourhood_document(found, base_url=base_url)


@api_view()
def neighbourhood_boundary(request: HttpRequest, force: str, neighbourhood: str) -> JsonData:
    return selectors.boundary(_neighbourhood(force, neighbourhood))


@api_view()
def neighbourhood_people(request: HttpRequest, force: str, neighbourhood: str) -> JsonData:
    return selectors.team(_neighbourhood(force, neighbourhood))


@api_view()
def neighbourhood_events(request: HttpRequest, force: str, neighbourhood: str) -> JsonData:
    return selectors.events(_neighbourhood(force, neighbourhood))


@api_view()
def neighbourhood_priorities(request: HttpRequest, force: str, neighbourhood: str) -> JsonData:
    return selectors.priorities(_neighbourhood(force, neighbourhood))


def parse_point(value: str) -> tuple[float, float]:
    """ "lat,lng" as data.police.uk takes it; anything else (one number, text, infinity) is a 400."""
    parts = value.split(",")
    if len(parts) != 2:
        raise bad_request()
    try:
        lat, lng = float(parts[0]), float(parts[1])
    except ValueError:
        raise bad_request() from None
    if not (math.isfinite(lat) and math.isfinite(lng)):
        raise bad_request()
    return lat, lng


@api_view()
def locate_neighbourhood(request: HttpRequest) -> dict[str, str]:
    lat, lng = parse_point(request.GET.get("q", ""))
    found = selectors.locate_neighbourhood(lat, lng)
    if found is None:
        raise not_found()
    return found
