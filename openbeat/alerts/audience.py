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
- **An update** (`update_of`, "Send an update" on a sent alert) has no areas or interests of its own: on each
  channel asked for, it reaches exactly the subscribers the earlier alert reached on that channel (the
  delivery app says who: `handoff.register_recipients`), less anyone no longer reachable there by the rules
  above (unsubscribed, paused, erased, email stopped or unconfirmed, phone no longer verified, channel turned
  off). An update of an alert sent to a demographic group carries that alert's demographic rules, which are
  applied again (someone who has since withdrawn their answers is left out).

Speed: neighbourhood and division targets are one SQL query over an index of watched areas; the interest
rules are bitmask tests on the subscriber row; shapes first narrow by bounding box in SQL, then test points
with shapely. Rows are fetched with a plain cursor into numpy, not as model instances.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
import shapely.affinity
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Value,
    When,
)
from shapely.geometry import Point, shape

from openbeat.alerts import handoff
from openbeat.areas.models import Neighbourhood
from openbeat.subscriptions.models import Interest, Subscriber, WatchedArea

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
    # The id of a sent alert whose recipients this one goes to (an update); then `areas` and the interest rules
    # are empty.
    update_of: int | None = None

    @property
    def targets_nobody(self) -> bool:
        """No area and not an update: nobody can be in the audience."""
        return self.update_of is None and self.areas.is_empty


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


def _points_in(geoms: list[Any], lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    inside = np.zeros(len(lons), dtype=bool)
    for geom in geoms:
        shapely.prepare(geom)
        inside |= shapely.contains_xy(geom, lons, lats)
    return inside


def audience_resolve(spec: TargetingSpec) -> Audience:
    """The exact recipients of an alert with this targeting, per channel."""
    empty = np.empty(0, dtype=np.int64)
    if spec.update_of is not None:
        return _update_audience(spec)
    if spec.areas.is_empty or not (set(spec.channels) & set(CHANNELS)):
        return Audience(email=empty, sms=empty)
    email_q, sms_q = _reachable()
    never = Q(pk__isnull=True)
    base = (
        subscribers_matching_rules(spec)
        .annotate(
            email_ok=_flag(email_q if "email" in spec.channels else never),
            sms_ok=_flag(sms_q if "sms" in spec.channels else never),
        )
        .filter(Q(email_ok=True) | Q(sms_ok=True))
    )
    found: list[np.ndarray] = []  # arrays of rows (subscriber id, email_ok, sms_ok)
    include_ids = _neighbourhood_ids(spec.areas)
    if include_ids is None or include_ids:
        if spec.exclude_areas.shapes:
            # Excluding a drawn shape needs every watched area's point: the slower per-area path.
            rows = _drop_excluded(
                _fetch(base.filter(_in_neighbourhoods(include_ids)), _AREA_COLUMNS), spec.exclude_areas
            )
            found.append(_table([(r[0], r[4], r[5]) for r in rows]))
        else:
            conditions = _by_neighbourhood(include_ids, spec.exclude_areas)
            if conditions:
                home, extra = conditions
                wanted = [c for c in CHANNELS if c in spec.channels]
                if connection.vendor == "postgresql":
                    if len(wanted) == 1:
                        # One channel: a plain filter, not the per-row flags (a third of the time at 10M).
                        only = subscribers_matching_rules(spec).filter(email_q if wanted == ["email"] else sms_q)
                        flags: Any = Value(1 if wanted == ["email"] else 2)
                        candidates = only
                    else:
                        flags = Case(When(email_ok=True, then=Value(1)), default=Value(0)) + Case(
                            When(sms_ok=True, then=Value(2)), default=Value(0)
                        )
                        candidates = base
                    found.append(_postgres_by_neighbourhood(candidates, flags, home, include_ids, spec.exclude_areas))
                elif len(wanted) == 1:
                    # One channel: a plain filter and ids only. Computing flags per row, and building a tuple
                    # per row in Python, cost ~20% more on SQLite at 1M subscribers (benchmarks/audience.py).
                    only = subscribers_matching_rules(spec).filter(email_q if wanted == ["email"] else sms_q)
                    rows = _fetch(only.filter(home | extra), ["pk"])
                    table = np.zeros((len(rows), 3), dtype=np.int64)
                    table[:, 0] = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
                    table[:, 1 if wanted == ["email"] else 2] = 1
                    found.append(table)
                else:
                    found.append(_table(_fetch(base.filter(home | extra), ["pk", "email_ok", "sms_ok"])))
    geoms = [geometry_of(item) for item in spec.areas.shapes]
    if geoms:
        min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(geoms)
        boxed = _fetch(
            base.filter(
                areas__lon__gte=min_lon, areas__lon__lte=max_lon, areas__lat__gte=min_lat, areas__lat__lte=max_lat
            ),
            _AREA_COLUMNS,
        )
        if boxed:
            inside = _points_in(geoms, *_points(boxed))
            rows = [row for row, keep in zip(boxed, inside, strict=True) if keep]
            if not spec.exclude_areas.is_empty:
                rows = _drop_excluded(rows, spec.exclude_areas)
            found.append(_table([(r[0], r[4], r[5]) for r in rows]))
    if not found:
        return Audience(email=empty, sms=empty)
    table = np.concatenate(found)
    return Audience(email=_unique(table[table[:, 1] == 1, 0]), sms=_unique(table[table[:, 2] == 1, 0]))


def _update_audience(spec: TargetingSpec) -> Audience:
    """An update's recipients: per channel, one query over the earlier alert's deliveries on that channel
    (a subquery the delivery app gives), joined with who is still reachable there."""
    found = {channel: np.empty(0, dtype=np.int64) for channel in CHANNELS}
    source = handoff.recipients_source()
    if source is not None and spec.update_of is not None:
        for channel, reachable in zip(CHANNELS, _reachable(), strict=True):
            if channel not in spec.channels:
                continue
            earlier = source(alert_id=spec.update_of, channel=channel)
            rows = _fetch(subscribers_matching_rules(spec).filter(reachable, pk__in=earlier).order_by("pk"), ["pk"])
            found[channel] = _unique(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
    return Audience(email=found["email"], sms=found["sms"])


def _table(rows: list[tuple[Any, ...]]) -> np.ndarray:
    """Rows of three integers (booleans come back as 0/1 or True/False) as an (n, 3) int64 array."""
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=3 * len(rows))
    return flat.reshape(-1, 3)


def _unique(ids: np.ndarray) -> np.ndarray:
    # Sort-based: ids mostly arrive sorted already, where numpy's hash-based unique was ~10x slower.
    ids = np.sort(ids, kind="stable")
    keep = np.ones(len(ids), dtype=bool)
    keep[1:] = ids[1:] != ids[:-1]
    return ids[keep]


_AREA_COLUMNS = ["pk", "areas__neighbourhood_id", "areas__lon", "areas__lat", "email_ok", "sms_ok"]


def _in_neighbourhoods(ids: list[int] | None) -> Q:
    return Q(areas__neighbourhood__isnull=False) if ids is None else Q(areas__neighbourhood__in=ids)


def _by_neighbourhood(include: list[int] | None, exclude: AreaSet) -> tuple[Q, Q] | None:
    """Home (a column on the subscriber), or an extra watched area, in the target and not excluded, in SQL.

    The extra areas are a non-correlated subquery over a covering index, evaluated once: no join per
    subscriber.
    """
    exclude_ids = _neighbourhood_ids(exclude)
    if exclude_ids is None:  # the whole force is excluded
        return None
    home = Q(home_neighbourhood__isnull=False) if include is None else Q(home_neighbourhood__in=include)
    extra = WatchedArea.objects.filter(is_home=False)
    if include is not None:
        extra = extra.filter(neighbourhood__in=include)
    if exclude_ids:
        home &= ~Q(home_neighbourhood__in=exclude_ids)
        extra = extra.exclude(neighbourhood__in=exclude_ids)
    return home, Q(pk__in=extra.values("subscriber_id"))


def _postgres_by_neighbourhood(
    candidates: QuerySet[Subscriber], flags: Any, home: Q, include: list[int] | None, exclude: AreaSet
) -> np.ndarray:
    """The neighbourhood target on PostgreSQL: one parallel scan, the answer as one value.

    The OR'd subquery that suits SQLite is a disaster here: once the extra areas outgrow work_mem PostgreSQL
    rescans the subquery per row (minutes at 10M). Instead the extra areas are LEFT JOINed on their own
    conditions (a parallel hash join over the covering index; a subscriber with several matching extra areas
    comes back several times, and is made unique in numpy). Shipping millions of rows to Python cost more
    than the scan itself, so each row is packed into one bigint (id * 4 + email + 2 * sms) and the lot is
    aggregated into a single bytea. The planner's default tuple cost keeps this plan serial; lowered for this
    transaction only, it goes parallel (benchmarks/audience.py at 10M: ~2x faster than two plain queries).
    """
    on = Q(areas__is_home=False)
    if include is not None:
        on &= Q(areas__neighbourhood__in=include)
    exclude_ids = _neighbourhood_ids(exclude) or []
    if exclude_ids:
        on &= ~Q(areas__neighbourhood__in=exclude_ids)
    packed = (
        candidates.annotate(extra_area=FilteredRelation("areas", condition=on))
        .filter(home | Q(extra_area__isnull=False))
        .annotate(packed=ExpressionWrapper(F("pk") * 4 + flags, output_field=BigIntegerField()))
        .values_list("packed")
    )
    try:
        sql, params = packed.query.sql_with_params()
    except EmptyResultSet:
        return np.empty((0, 3), dtype=np.int64)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL parallel_tuple_cost = 0.001")
        cursor.execute("SET LOCAL parallel_setup_cost = 100")
        cursor.execute(f"SELECT string_agg(int8send(x.packed), ''::bytea) FROM ({sql}) x", params)  # noqa: S608
        blob = cursor.fetchone()[0]
    values = np.frombuffer(bytes(blob or b""), dtype=">i8").astype(np.int64)
    return np.column_stack([values >> 2, values & 1, (values >> 1) & 1])


def _points(rows: list[tuple[Any, ...]]) -> tuple[np.ndarray, np.ndarray]:
    # Areas picked as whole neighbourhoods have no point: NaN is inside no shape.
    lons = np.array([r[2] if r[2] is not None else np.nan for r in rows], dtype=float)
    lats = np.array([r[3] if r[3] is not None else np.nan for r in rows], dtype=float)
    return lons, lats


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
        out |= _points_in(geoms, *_points(rows))
    return [row for row, drop in zip(rows, out, strict=True) if not drop]
