"""data.police.uk's crime endpoints: parameters checked (crime_params), rows read (crime_selectors), rows
written as data.police.uk writes them (crime_json). Refusals are raised; `api_view` answers them."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from openbeat.opendata import crime_params as params
from openbeat.opendata import crime_selectors as selectors
from openbeat.opendata.crime_json import crime_json, crimes_json, outcome_json
from openbeat.opendata.http import api_view, bad_request, not_found, service_unavailable
from openbeat.opendata.selectors import force_for


def _month(request: HttpRequest) -> datetime.date | None:
    """The month asked for, else the latest with crimes (None: no crimes at all)."""
    return params.month_param(request) or selectors.latest_month()


@api_view()
def crime_categories(request: HttpRequest) -> list[dict[str, str]]:
    month = _month(request) or timezone.localdate().replace(day=1)
    categories = [{"url": params.ALL_CRIME, "name": "All crime"}]
    categories += [{"url": slug, "name": name} for slug, name in selectors.categories_for(month)]
    return categories


@api_view()
def crimes_street_dates(request: HttpRequest) -> list[dict[str, Any]]:
    # OpenBeat publishes no stop and search: every month's list of forces with it is empty.
    return [{"date": f"{month:%Y-%m}", "stop-and-search": []} for month in selectors.crime_months()]


@api_view()
def crime_last_updated(request: HttpRequest) -> dict[str, str]:
    day = selectors.last_updated()
    if day is None:
        raise not_found()
    return {"date": day.isoformat()}


@api_view(methods=("GET", "POST"))
def crimes_street(request: HttpRequest, category: str) -> list[dict[str, Any]]:
    params.refuse_long_get(request)
    slug = params.category_param(category)
    poly = params.param(request, "poly")
    points = params.parse_poly(poly) if poly else None
    point = None if points else params.point_param(request)
    month = _month(request)
    if month is None:
        return []
    try:
        if points:
            rows = selectors.crimes_in_polygon(points=points, month=month, category=slug)
        else:
            assert point is not None
            rows = selectors.crimes_near(lat=point[0], lng=point[1], month=month, category=slug)
    except selectors.TooManyCrimes:
        raise service_unavailable() from None
    return crimes_json(rows)


@api_view()
def crimes_at_location(request: HttpRequest) -> list[dict[str, Any]]:
    location_id = params.param(request, "location_id")
    point = None if location_id else params.point_param(request)
    month = _month(request)
    if month is None:
        return []
    if location_id:
        return crimes_json(
            selectors.crimes_at_location_id(location_id=params.location_id_param(location_id), month=month)
        )
    assert point is not None
    nearest = selectors.nearest_point(lat=point[0], lng=point[1], month=month)
    if nearest is None:
        return []
    return crimes_json(selectors.crimes_at_point(lat_e6=nearest[0], lon_e6=nearest[1], month=month))


@api_view()
def crimes_no_location(request: HttpRequest) -> list[dict[str, Any]]:
    category, force = params.param(request, "category"), params.param(request, "force")
    if not category or not force:
        raise bad_request()
    slug = params.category_param(category)
    if force_for(force) is None:
        raise not_found()
    month = _month(request)
    if month is None:
        return []
    try:
        return crimes_json(selectors.crimes_without_location(month=month, category=slug))
    except selectors.TooManyCrimes:
        raise service_unavailable() from None


@api_view()
def outcomes_for_crime(request: HttpRequest, persistent_id: str) -> dict[str, Any]:
    row = selectors.crime_by_persistent_id(persistent_id)
    if row is None:
        raise not_found()
    outcome, outcome_month = row[6], row[7]
    # OpenBeat keeps the last outcome the files gave (they carry no history): that one, when there is one.
    outcomes = [outcome_json(outcome, outcome_month)] if outcome else []
    # "outcomes" first: the order of the live API's recording (police-data-kit's case-history.json).
    return {"outcomes": outcomes, "crime": crime_json(row, with_outcome_status=False)}
