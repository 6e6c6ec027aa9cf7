"""Reads for the crime endpoints: crimes by month and place, as tuples ready for `crime_json`.

Every area query goes through the (month, lat_e6, lon_e6) index with the area's bounding box, then the exact
test in Python on the few rows the box returns: the great-circle distance for the one-mile radius, a prepared
shapely polygon for `poly`. The box costs one index range scan whatever the number of crimes in other months.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from django.db import connection
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from openbeat.crime.categories import CATEGORIES
from openbeat.crime.models import Crime, CrimeImport
from openbeat.opendata.crime_json import CRIME_COLUMNS, CrimeRow, box_bounds, point_of_street_id, street_id

EARTH_RADIUS_M = 6_371_008.8
ONE_MILE_M = 1_609.344
MAX_CRIMES = 10_000  # data.police.uk's limit: more than this answers 503
_MICRO = 1_000_000
# How far crimes-at-location looks for the nearest point, widening each time nothing is found (degrees).
_NEAREST_STEPS = (0.002, 0.01, 0.05, 0.25)

# When each category was published (data.police.uk's crime-categories lists a month's own): the retired
# "public disorder and weapons" until April 2013, its two successors from May 2013, the 2011 additions after.
_FROM_2011_09 = {"criminal-damage-arson", "drugs", "other-theft", "shoplifting"}
_FROM_2013_05 = {"public-order", "possession-of-weapons", "bicycle-theft", "theft-from-the-person"}
_RETIRED_2013_05 = {"public-disorder-weapons"}
_SEPTEMBER_2011 = datetime.date(2011, 9, 1)
_MAY_2013 = datetime.date(2013, 5, 1)


class TooManyCrimes(Exception):
    """More than MAX_CRIMES crimes matched: data.police.uk refuses such a query (503)."""


def latest_month() -> datetime.date | None:
    """The newest month with crimes (read from the month index's end)."""
    return Crime.objects.aggregate(latest=Max("month"))["latest"]


def crime_months() -> list[datetime.date]:
    """Every month with crimes, newest first."""
    return list(Crime.objects.order_by("-month").values_list("month", flat=True).distinct())


def last_updated() -> datetime.date | None:
    """The day the crime data last changed: the last finished import (or the latest month, before any)."""
    finished = CrimeImport.objects.filter(finished_at__isnull=False).aggregate(last=Max("finished_at"))["last"]
    if finished is not None:
        return timezone.localdate(finished)
    return latest_month()


def categories_for(month: datetime.date) -> list[tuple[str, str]]:
    """The categories data.police.uk lists for `month`, in its order."""
    out = []
    for slug, name in CATEGORIES:
        if slug in _FROM_2011_09 and month < _SEPTEMBER_2011:
            continue
        if slug in _FROM_2013_05 and month < _MAY_2013:
            continue
        if slug in _RETIRED_2013_05 and month >= _MAY_2013:
            continue
        out.append((slug, name))
    return out


def _in_month(month: datetime.date, category: str | None) -> QuerySet[Crime]:
    crimes = Crime.objects.filter(month=month)
    return crimes.filter(category_id=category) if category else crimes


def _micro(degrees: float) -> int:
    return round(degrees * _MICRO)


def _radius_box(lat: float, lng: float, metres: float) -> tuple[int, int, int, int]:
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    # Longitude degrees shrink towards the poles: the box's widest latitude gives its half-width.
    widest = min(abs(lat) + dlat, 89.9)
    dlng = min(180.0, dlat / math.cos(math.radians(widest)))
    return _micro(lat - dlat), _micro(lat + dlat), _micro(lng - dlng), _micro(lng + dlng)


def _haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _sorted(rows: list[CrimeRow]) -> list[CrimeRow]:
    # The same order on every request (and so the same ETag): by the row's id.
    rows.sort(key=lambda row: row[0])
    return rows


def _columns_sql() -> str:
    # CRIME_COLUMNS are the table's column names, but for "pk" (the automatic "id").
    return ", ".join("id" if name == "pk" else name for name in CRIME_COLUMNS)


def crimes_near(*, lat: float, lng: float, month: datetime.date, category: str | None) -> list[CrimeRow]:
    """Crimes within a mile of (lat, lng) in `month`; raises TooManyCrimes past data.police.uk's limit.

    The API's busiest query, so written as one SQL statement on a raw cursor (no model layer per row: half the
    time at a thousand rows): the box on the (month, lat, lon) index, then the circle, equirectangular and a
    hair wide, so the box's corners stay in the database; the great-circle distance decides the rows near the
    edge (the two agree to 0.05% at a mile).
    """
    lat_min, lat_max, lng_min, lng_max = _radius_box(lat, lng, ONE_MILE_M)
    lat6, lng6, coslat = lat * _MICRO, lng * _MICRO, math.cos(math.radians(lat))
    r6 = math.degrees(ONE_MILE_M / EARTH_RADIUS_M) * _MICRO
    sure, outer = (r6 * 0.999) ** 2, (r6 * 1.001) ** 2
    d2 = "(lat_e6 - %s) * (lat_e6 - %s) + ((lon_e6 - %s) * %s) * ((lon_e6 - %s) * %s)"
    sql = (
        f"SELECT {_columns_sql()} FROM {Crime._meta.db_table} "  # noqa: S608 - names from the model
        f"WHERE month = %s AND lat_e6 BETWEEN %s AND %s AND lon_e6 BETWEEN %s AND %s AND {d2} <= %s"
    )
    args: list[Any] = [month, lat_min, lat_max, lng_min, lng_max, lat6, lat6, lng6, coslat, lng6, coslat, outer]
    if category:
        sql += " AND category_id = %s"
        args.append(category)
    sql += " ORDER BY id"  # as _sorted does, in the database's C
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    # The distance again here, not as a selected column: PostgreSQL would compute it in numeric and send Decimals.
    out = []
    for row in rows:
        dy, dx = row[2] - lat6, (row[3] - lng6) * coslat
        if dy * dy + dx * dx <= sure or _haversine_m(lat, lng, row[2] / _MICRO, row[3] / _MICRO) <= ONE_MILE_M:
            out.append(row)
    if len(out) > MAX_CRIMES:
        raise TooManyCrimes
    return out


def _polygon(points: Sequence[tuple[float, float]]) -> Any:
    """A valid area from the client's ring: self-intersections and repeated points are repaired, not refused."""
    ring = shapely.Polygon([(lng, lat) for lat, lng in points])
    return ring if ring.is_valid else shapely.make_valid(ring)


def crimes_in_polygon(
    *, points: Sequence[tuple[float, float]], month: datetime.date, category: str | None
) -> list[CrimeRow]:
    """Crimes inside the polygon in `month`: the box's (id, point) from the index first, then the rows that are
    inside, so a box over a whole force reads only the index before refusing with TooManyCrimes."""
    area = _polygon(points)
    if area.is_empty or area.area == 0:
        return []
    lng_min, lat_min, lng_max, lat_max = area.bounds
    candidates = list(
        _in_month(month, category)
        .filter(lat_e6__range=(_micro(lat_min), _micro(lat_max)), lon_e6__range=(_micro(lng_min), _micro(lng_max)))
        .values_list("pk", "lat_e6", "lon_e6")
    )
    if not candidates:
        return []
    table = np.array(candidates, dtype=np.int64)
    shapely.prepare(area)
    inside = shapely.contains_xy(area, table[:, 2] / _MICRO, table[:, 1] / _MICRO)
    ids = table[inside, 0].tolist()
    if len(ids) > MAX_CRIMES:
        raise TooManyCrimes
    return crimes_by_ids(ids)


def crimes_by_ids(ids: list[int]) -> list[CrimeRow]:
    rows: list[CrimeRow] = []
    # In chunks: SQLite limits a statement's parameters.
    for start in range(0, len(ids), 900):
        rows.extend(Crime.objects.filter(pk__in=ids[start : start + 900]).values_list(*CRIME_COLUMNS))
    return _sorted(rows)


def nearest_point(*, lat: float, lng: float, month: datetime.date) -> tuple[int, int] | None:
    """The anonymised point nearest (lat, lng) among the month's crimes, looked for in widening boxes."""
    for step in _NEAREST_STEPS:
        lat_min, lat_max, lng_min, lng_max = _radius_box(lat, lng, math.radians(step) * EARTH_RADIUS_M)
        points: set[tuple[int, int]] = set(
            Crime.objects.filter(
                month=month, lat_e6__range=(lat_min, lat_max), lon_e6__range=(lng_min, lng_max)
            ).values_list("lat_e6", "lon_e6")  # type: ignore[arg-type]  # not null: inside a range
        )
        if points:
            return min(points, key=lambda p: _haversine_m(lat, lng, p[0] / _MICRO, p[1] / _MICRO))
    return None


def crimes_at_point(*, lat_e6: int, lon_e6: int, month: datetime.date) -> list[CrimeRow]:
    return _sorted(list(Crime.objects.filter(month=month, lat_e6=lat_e6, lon_e6=lon_e6).values_list(*CRIME_COLUMNS)))


def crimes_at_location_id(*, location_id: int, month: datetime.date) -> list[CrimeRow]:
    """Crimes at the point a street id stands for; a hashed id (a point outside the id box) is found among the
    month's few such points by computing theirs."""
    point = point_of_street_id(location_id)
    if point is not None:
        return crimes_at_point(lat_e6=point[0], lon_e6=point[1], month=month)
    lat_min, lat_max, lon_min, lon_max = box_bounds()
    outside = (
        Crime.objects.filter(month=month, lat_e6__isnull=False, lon_e6__isnull=False)
        .exclude(Q(lat_e6__range=(lat_min, lat_max)) & Q(lon_e6__range=(lon_min, lon_max)))
        .values_list("lat_e6", "lon_e6")
        .distinct()
    )
    for lat_e6, lon_e6 in outside:
        if lat_e6 is not None and lon_e6 is not None and street_id(lat_e6, lon_e6) == location_id:
            return crimes_at_point(lat_e6=lat_e6, lon_e6=lon_e6, month=month)
    return []


def crimes_without_location(*, month: datetime.date, category: str | None) -> list[CrimeRow]:
    rows = list(_in_month(month, category).filter(lat_e6__isnull=True).values_list(*CRIME_COLUMNS))
    if len(rows) > MAX_CRIMES:
        raise TooManyCrimes
    return _sorted(rows)


def crime_by_persistent_id(persistent_id: str) -> CrimeRow | None:
    """The crime's latest row (a crime is published again in later months' files with newer outcomes)."""
    if not persistent_id:
        return None
    rows = Crime.objects.filter(persistent_id=persistent_id).order_by("-month", "-pk").values_list(*CRIME_COLUMNS)
    return rows.first()
