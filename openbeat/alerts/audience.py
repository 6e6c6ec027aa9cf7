"""Audience resolution: a targeting spec in, the exact (subscriber, channel) pairs out.

Semantics (tested against a naive reference implementation in tests/test_audience.py):

- Only **active** subscribers are ever in an audience.
- **Areas.** A subscriber is in the area target when at least one of their watched areas (home and extra
  areas alike) is *inside* `areas` and not inside `exclude_areas`. A watched area is inside an `AreaSet` when
  the set is the whole force, or its neighbourhood is one of `neighbourhoods`, or its neighbourhood is in one
  of `divisions`, or its point (the postcode's location) lies in one of `shapes` (a drawn polygon or circle;
  an area picked as a whole neighbourhood has no point, so shapes never contain it).
- **Sets** (topics, interest groups, each demographic dimension) each take three rules, as Neighbourhood Alert
  does: `include` (has at least one of them; no rule when empty), `must` (has every one), `exclude` (has none).
  The subscriber must satisfy every rule of every set. A subscriber who gave no demographic answer satisfies
  only `exclude` rules of that dimension.
- **Channels.** For each channel asked for, a subscriber is a recipient on it when they can be reached there:
  email needs a confirmed address not stopped by bounces and at least one of day/night chosen; SMS needs a
  verified phone and at least one of day/night chosen. Time-of-day, minimum priority, quiet hours and daily
  caps are applied at hand-off (delivery), not here; `audience_breakdown` reports how they would split.

Speed: neighbourhood and division targets are one SQL query over an index of watched areas; the interest
rules are bitmask tests on the subscriber row; shapes first narrow by bounding box in SQL, then test points
with shapely. Rows are fetched with a plain cursor into numpy, not as model instances.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet
from shapely.geometry import Point, shape

from openbeat.areas.models import Neighbourhood
from openbeat.subscriptions.models import Interest, Subscriber

CHANNELS = ("email", "sms")
DEMOGRAPHIC_FIELDS = ("age_band", "ethnicity", "disability")


@dataclass(frozen=True)
class AreaSet:
    whole_force: bool = False
    divisions: frozenset[int] = frozenset()
    neighbourhoods: frozenset[int] = frozenset()
    # GeoJSON Polygon / MultiPolygon, or {"type": "Circle", "center": [lon, lat], "radius_m": 500}.
    shapes: tuple[Mapping[str, Any], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.whole_force or self.divisions or self.neighbourhoods or self.shapes)


@dataclass(frozen=True)
class SetRule:
    include: frozenset[str] = frozenset()
    must: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TargetingSpec:
    areas: AreaSet
    exclude_areas: AreaSet = AreaSet()
    topics: SetRule = SetRule()
    groups: SetRule = SetRule()
    demographics: Mapping[str, SetRule] = field(default_factory=dict)
    channels: frozenset[str] = frozenset(CHANNELS)


@dataclass(frozen=True)
class Audience:
    """Subscriber ids per channel, sorted and unique."""

    email: np.ndarray
    sms: np.ndarray

    def pairs(self) -> Iterator[tuple[int, str]]:
        for subscriber_id in self.email.tolist():
            yield subscriber_id, "email"
        for subscriber_id in self.sms.tolist():
            yield subscriber_id, "sms"

    @property
    def subscriber_count(self) -> int:
        return len(np.union1d(self.email, self.sms))

    def __len__(self) -> int:
        return len(self.email) + len(self.sms)


def circle_polygon(center: tuple[float, float], radius_m: float) -> Any:
    """A circle on the ground as a WGS84 polygon (an ellipse in degrees; exact enough for a few km)."""
    lon, lat = center
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * math.cos(math.radians(lat)))
    return shapely.affinity.scale(Point(lon, lat).buffer(1, quad_segs=32), xfact=dlon, yfact=dlat)


def geometry_of(item: Mapping[str, Any]) -> Any:
    if item.get("type") == "Circle":
        return circle_polygon(tuple(item["center"]), float(item["radius_m"]))  # type: ignore[arg-type]
    return shape(item)


def _neighbourhood_ids(areas: AreaSet) -> list[int] | None:
    """The neighbourhoods an AreaSet names (None for the whole force)."""
    if areas.whole_force:
        return None
    ids = set(areas.neighbourhoods)
    if areas.divisions:
        ids |= set(Neighbourhood.objects.filter(division__in=areas.divisions).values_list("pk", flat=True))
    return sorted(ids)


def _masks(rule: SetRule, bits: Mapping[str, int]) -> tuple[int, int, int]:
    def mask(slugs: frozenset[str]) -> int:
        unknown = slugs - bits.keys()
        if unknown:
            raise ValueError(f"Unknown interests: {sorted(unknown)}")
        return sum(1 << bits[s] for s in slugs)

    return mask(rule.include), mask(rule.must), mask(rule.exclude)


def subscribers_matching_rules(spec: TargetingSpec) -> QuerySet[Subscriber]:
    """Active subscribers passing the topic, group and demographic rules (areas and channels aside)."""
    queryset = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE)
    bits = dict(Interest.objects.values_list("slug", "bit"))
    for rule in (spec.topics, spec.groups):
        include, must, exclude = _masks(rule, bits)
        # Each rule gets its own alias: they are different tests of the same column.
        if include:
            queryset = queryset.alias(**{f"inc{include}": F("interest_bits").bitand(include)}).exclude(
                **{f"inc{include}": 0}
            )
        if must:
            queryset = queryset.alias(**{f"must{must}": F("interest_bits").bitand(must)}).filter(
                **{f"must{must}": must}
            )
        if exclude:
            queryset = queryset.alias(**{f"exc{exclude}": F("interest_bits").bitand(exclude)}).filter(
                **{f"exc{exclude}": 0}
            )
    for dimension, rule in spec.demographics.items():
        if dimension not in DEMOGRAPHIC_FIELDS:
            raise ValueError(f"Unknown demographic dimension {dimension!r}")
        column = f"demographics__{dimension}"
        if rule.include:
            queryset = queryset.filter(**{f"{column}__in": sorted(rule.include)})
        if len(rule.must) > 1:
            # Each person gives one answer per dimension, so "must be all of several" matches nobody.
            return queryset.none()
        if rule.must:
            queryset = queryset.filter(**{column: next(iter(rule.must))})
        if rule.exclude:
            queryset = queryset.exclude(**{f"{column}__in": sorted(rule.exclude)})
    return queryset


def _reachable() -> tuple[Q, Q]:
    email = Q(email__isnull=False, email_confirmed_at__isnull=False, email_stopped=False) & (
        Q(email_day=True) | Q(email_night=True)
    )
    sms = Q(phone__isnull=False, phone_verified_at__isnull=False) & (Q(sms_day=True) | Q(sms_night=True))
    return email, sms


def _fetch(queryset: QuerySet[Any], columns: list[str]) -> list[tuple[Any, ...]]:
    """Rows of `columns` through a plain cursor: no model instances for hundreds of thousands of rows."""
    try:
        sql, params = queryset.values_list(*columns).query.sql_with_params()
    except EmptyResultSet:  # a queryset known to match nothing (e.g. .none())
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in_area_set_sql(areas: AreaSet, prefix: str = "areas__") -> Q | None:
    """The SQL part of 'this watched area is inside the set' (shapes are tested separately)."""
    ids = _neighbourhood_ids(areas)
    if ids is None:
        return Q(**{f"{prefix}neighbourhood__isnull": False})
    return Q(**{f"{prefix}neighbourhood__in": ids}) if ids else None


def _points_in(geoms: list[Any], lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    inside = np.zeros(len(lons), dtype=bool)
    for geom in geoms:
        shapely.prepare(geom)
        inside |= shapely.contains_xy(geom, lons, lats)
    return inside


def audience_resolve(spec: TargetingSpec) -> Audience:
    """The exact recipients of an alert with this targeting, per channel."""
    empty = np.empty(0, dtype=np.int64)
    if spec.areas.is_empty or not (set(spec.channels) & set(CHANNELS)):
        return Audience(email=empty, sms=empty)
    base = subscribers_matching_rules(spec)
    email_q, sms_q = _reachable()
    columns = ["pk", "areas__neighbourhood_id", "areas__lon", "areas__lat", "email_ok", "sms_ok"]
    base = base.annotate(
        email_ok=_flag(email_q) if "email" in spec.channels else _flag(Q(pk__isnull=True)),
        sms_ok=_flag(sms_q) if "sms" in spec.channels else _flag(Q(pk__isnull=True)),
    ).filter(Q(email_ok=True) | Q(sms_ok=True))

    parts = []
    by_neighbourhood = _in_area_set_sql(spec.areas)
    if by_neighbourhood is not None:
        parts.append(_fetch(base.filter(by_neighbourhood), columns))
    geoms = [geometry_of(item) for item in spec.areas.shapes]
    if geoms:
        min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(geoms)
        in_box = base.filter(
            areas__lon__gte=min_lon, areas__lon__lte=max_lon, areas__lat__gte=min_lat, areas__lat__lte=max_lat
        )
        rows = _fetch(in_box, columns)
        if rows:
            lons = np.array([r[2] for r in rows], dtype=float)
            lats = np.array([r[3] for r in rows], dtype=float)
            inside = _points_in(geoms, lons, lats)
            parts.append([row for row, keep in zip(rows, inside, strict=True) if keep])
    rows = [row for part in parts for row in part]
    if not spec.exclude_areas.is_empty and rows:
        rows = _drop_excluded(rows, spec.exclude_areas)
    if not rows:
        return Audience(email=empty, sms=empty)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    email_ok = np.fromiter((bool(r[4]) for r in rows), dtype=bool, count=len(rows))
    sms_ok = np.fromiter((bool(r[5]) for r in rows), dtype=bool, count=len(rows))
    return Audience(email=np.unique(ids[email_ok]), sms=np.unique(ids[sms_ok]))


def _flag(condition: Q) -> Any:
    from django.db.models import BooleanField, Case, Value, When

    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def _drop_excluded(rows: list[tuple[Any, ...]], exclude: AreaSet) -> list[tuple[Any, ...]]:
    """Drop watched-area rows inside the excluded set (the subscriber stays if another area qualifies)."""
    ids = _neighbourhood_ids(exclude)
    if ids is None:
        return []
    excluded_nbh = set(ids)
    nbh = np.array([r[1] for r in rows], dtype=np.int64)
    out = np.isin(nbh, list(excluded_nbh)) if excluded_nbh else np.zeros(len(rows), dtype=bool)
    geoms = [geometry_of(item) for item in exclude.shapes]
    if geoms:
        # Areas picked as whole neighbourhoods have no point: NaN is inside no shape.
        lons = np.array([r[2] if r[2] is not None else np.nan for r in rows], dtype=float)
        lats = np.array([r[3] if r[3] is not None else np.nan for r in rows], dtype=float)
        out |= _points_in(geoms, lons, lats)
    return [row for row, drop in zip(rows, out, strict=True) if not drop]
