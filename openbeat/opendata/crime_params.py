"""The crime endpoints' query parameters, read as data.police.uk reads them; anything else is refused here.

A malformed month, coordinate or polygon answers 400 and an unknown category 404 (data.police.uk's statuses);
nothing a client can send reaches the selectors unchecked, so no input turns into a 500.
"""

from __future__ import annotations

import datetime
import math

from django.http import HttpRequest

from openbeat.core.months import is_month, month_start
from openbeat.crime.categories import CATEGORIES
from openbeat.opendata.http import bad_request, not_found

ALL_CRIME = "all-crime"
CATEGORY_SLUGS = frozenset(slug for slug, _name in CATEGORIES)
# data.police.uk's server refuses a GET whose request line is longer than this (gunicorn's default limit too):
# answered the same under any server, so a client learns to POST a long poly here as it must there.
MAX_GET_LINE = 4094
MAX_POLY_POINTS = 10_000

Point = tuple[float, float]  # (lat, lng) in degrees


def param(request: HttpRequest, name: str) -> str | None:
    """A parameter from the query string, or (POST) from the form body, which data.police.uk also reads."""
    if request.method == "POST" and name in request.POST:
        return request.POST[name]
    return request.GET.get(name)


def refuse_long_get(request: HttpRequest) -> None:
    if request.method == "GET" and len(f"GET {request.get_full_path()} HTTP/1.1") > MAX_GET_LINE:
        raise bad_request()


def month_param(request: HttpRequest) -> datetime.date | None:
    """The `date` month, or None when missing (the caller takes the latest month)."""
    value = param(request, "date")
    if value is None or value == "":
        return None
    if not is_month(value):
        raise bad_request()
    return month_start(value)


def category_param(value: str | None) -> str | None:
    """A crime category slug, or None for all-crime; unknown is 404."""
    if value == ALL_CRIME:
        return None
    if value not in CATEGORY_SLUGS:
        raise not_found()
    return value


def _number(value: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise bad_request() from None
    if not math.isfinite(number) or abs(number) > limit:
        raise bad_request()
    return number


def point_param(request: HttpRequest) -> Point:
    lat, lng = param(request, "lat"), param(request, "lng")
    if not lat or not lng:
        raise bad_request()
    return _number(lat, 90), _number(lng, 180)


def parse_poly(text: str) -> list[Point]:
    """`lat,lng:lat,lng:...` as points; fewer than three points encloses no area and is refused."""
    pairs = text.strip().strip(":").split(":")
    if len(pairs) > MAX_POLY_POINTS:
        raise bad_request()
    points: list[Point] = []
    for pair in pairs:
        parts = pair.split(",")
        if len(parts) != 2:
            raise bad_request()
        points.append((_number(parts[0], 90), _number(parts[1], 180)))
    if len(set(points)) < 3:
        raise bad_request()
    return points


def location_id_param(value: str) -> int:
    # ASCII digits only: str.isdigit() is also true of "²" and other digits int() refuses.
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise bad_request()
    return int(value)
