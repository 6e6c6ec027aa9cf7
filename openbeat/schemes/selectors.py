"""Reads of watch schemes: the nearest to a point, the ones a point is inside, public pages, the staff list.

Nearest: the verified schemes whose centre lies in a box around the point (an index range on the centre
columns), the box doubling until it holds `limit` schemes within the circle it encloses, then exact distances
in numpy. At 10,000 schemes a look-up reads a few dozen rows (benchmarks/schemes.py). Inside: the bbox columns
pick the candidates, shapely decides. Both are plain SQL plus Python, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db.models import Prefetch, Q, QuerySet
from shapely.geometry import shape

from openbeat.areas.postcodes import PostcodeLocation
from openbeat.core.users import RequestUser
from openbeat.schemes.geometry import MILE_M, distances_m
from openbeat.schemes.models import Coordinator, Scheme
from openbeat.staff.scope import scope_for

NEAREST = 7
_START_KM = 2.0
# Past this the whole force is in the box: stop widening and take every verified scheme.
_MAX_KM = 400.0
_KM_PER_DEG_LAT = 111.32


@dataclass(frozen=True)
class Nearby:
    scheme: Scheme
    distance_m: float
    inside: bool = False

    @property
    def miles(self) -> float:
        return self.distance_m / MILE_M


@dataclass
class Finding:
    location: PostcodeLocation
    nearest: list[Nearby] = field(default_factory=list)
    inside: list[Scheme] = field(default_factory=list)


def public_schemes() -> QuerySet[Scheme]:
    return Scheme.objects.filter(status=Scheme.Status.VERIFIED)


def _box(lat: float, lon: float, km: float) -> Q:
    dlat = km / _KM_PER_DEG_LAT
    dlon = km / (_KM_PER_DEG_LAT * max(math.cos(math.radians(lat)), 0.01))
    return Q(
        centre_lat__gte=lat - dlat, centre_lat__lte=lat + dlat, centre_lon__gte=lon - dlon, centre_lon__lte=lon + dlon
    )


def nearest_ids(*, lat: float, lon: float, limit: int = NEAREST) -> list[tuple[int, float]]:
    """(scheme pk, metres) of the `limit` nearest verified schemes' centres, nearest first (ties by pk)."""
    if limit <= 0:
        return []
    base = public_schemes()
    km = _START_KM
    while True:
        whole = km >= _MAX_KM
        rows = list((base if whole else base.filter(_box(lat, lon, km))).values_list("pk", "centre_lat", "centre_lon"))
        if rows:
            pks = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            metres = distances_m(lat, lon, [r[1] for r in rows], [r[2] for r in rows])
            order = np.lexsort((pks, metres))[:limit]
            # A scheme outside the box can be nearer than one in its corner: only the inscribed circle is sure.
            if whole or (len(order) == limit and metres[order[-1]] <= km * 1000):
                return [(int(pks[i]), float(metres[i])) for i in order]
        if whole:
            return []
        km *= 2


def containing(*, lat: float, lon: float) -> list[Scheme]:
    """Verified schemes whose area holds the point (on its edge counts), by name."""
    candidates = public_schemes().filter(
        area__isnull=False, min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
    )
    inside = []
    for pk, area in candidates.values_list("pk", "area"):
        geom = shape(area)
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        if shapely.intersects_xy(geom, lon, lat):
            inside.append(pk)
    if not inside:
        return []
    # The shapes are not needed again: the page lists names and links.
    return list(public_schemes().defer("area").filter(pk__in=inside).order_by("name", "pk"))


def find(location: PostcodeLocation, *, limit: int = NEAREST) -> Finding:
    """The finder's answer for a postcode: the nearest schemes (with distances) and those it is inside."""
    inside = containing(lat=location.lat, lon=location.lon)
    inside_ids = {s.pk for s in inside}
    ranked = nearest_ids(lat=location.lat, lon=location.lon, limit=limit)
    schemes = public_schemes().select_related("division").defer("area").in_bulk([pk for pk, _ in ranked])
    nearest = [Nearby(schemes[pk], metres, pk in inside_ids) for pk, metres in ranked if pk in schemes]
    return Finding(location=location, nearest=nearest, inside=inside)


def public_scheme(slug: str) -> Scheme | None:
    """A verified scheme for its public page, with only the coordinators who chose to be shown."""
    shown = Coordinator.objects.filter(show_contact=True, email_verified_at__isnull=False)
    return (
        public_schemes()
        .select_related("division")
        .prefetch_related(Prefetch("coordinators", queryset=shown, to_attr="shown_coordinators"), "neighbourhoods")
        .filter(slug=slug)
        .first()
    )


def schemes_for_staff(user: RequestUser, *, status: str = "") -> QuerySet[Scheme]:
    """The schemes in the user's division scope (every one for force-wide roles)."""
    schemes = scope_for(user).filter(Scheme.objects.select_related("division"))
    if status in Scheme.Status.values:
        schemes = schemes.filter(status=status)
    return schemes


def coordinator_for_session(public_id: str | None) -> Coordinator | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:  # nothing, or something else, in the session: nobody
        return None
    return (
        Coordinator.objects.select_related("scheme__division")
        .filter(public_id=key, email_verified_at__isnull=False)
        .first()
    )
