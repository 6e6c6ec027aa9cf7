"""A CAP `area` from an alert's targeting: the places by name (`areaDesc`) and polygons as CAP wants them.

What aggregators reject, and so what this guarantees: polygons that are valid, closed (first pair = last pair),
with at least four pairs, as "lat,lon" pairs (CAP's order, the reverse of GeoJSON's) of at most 6 decimal places,
simplified to a size they accept, and a multipolygon as several `polygon` elements. CAP polygons have no holes:
a hole (an excluded area inside a target) is filled, which errs on the side of warning more people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from openbeat.alerts.audience import geometry_of
from openbeat.alerts.models import Alert
from openbeat.alerts.selectors import alert_coverage
from openbeat.alerts.targeting import TargetingError, spec_from_json
from openbeat.areas.models import Neighbourhood

DECIMALS = 6
GRID = 10**-DECIMALS
# About 11 m at UK latitudes: invisible at the scale anyone reads a warning's map, and it removes most of the
# thousands of vertices a ward boundary has.
SIMPLIFY_DEGREES = 0.0001
# Aggregators' limits vary; Google Public Alerts asks for "reasonable" polygons. Simplify harder until each ring
# has at most this many pairs.
MAX_PAIRS = 200


@dataclass(frozen=True)
class CapArea:
    description: str
    polygons: tuple[str, ...]  # each "lat,lon lat,lon ..." with the first pair repeated last


def _targeting_of(alert: Alert) -> Any:
    """The targeting the alert's areas come from: an update (`update_of`) was for where its original was for."""
    targeting, seen = alert.targeting or {}, 0
    while isinstance(targeting, dict) and targeting.get("update_of") and seen < 10:
        targeting = Alert.objects.filter(pk=targeting["update_of"]).values_list("targeting", flat=True).first() or {}
        seen += 1
    return targeting


def _boundaries(neighbourhoods: Iterable[Any]) -> list[BaseGeometry]:
    return [shape(boundary) for boundary in neighbourhoods if boundary]


def _geometry(areas_json: Mapping[str, Any] | None) -> BaseGeometry | None:
    """The union of every place an areas part of a targeting names (None when it names none with a boundary)."""
    try:
        areas = spec_from_json({"areas": areas_json or {}}).areas
    except TargetingError:
        return None
    parts: list[BaseGeometry] = []
    boundaries = Neighbourhood.objects.filter(boundary__isnull=False).values_list("boundary", flat=True)
    if areas.whole_force:
        # The force's boundary is the union of its neighbourhoods' boundaries.
        parts += _boundaries(boundaries)
    else:
        if areas.neighbourhoods:
            parts += _boundaries(boundaries.filter(pk__in=areas.neighbourhoods))
        if areas.divisions:
            parts += _boundaries(boundaries.filter(division__in=areas.divisions))
        parts += [geometry_of(item) for item in areas.shapes]
    parts = [shapely.make_valid(part) for part in parts if not part.is_empty]
    return shapely.union_all(parts) if parts else None


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    # A GeometryCollection from make_valid or a difference: keep its areas, drop stray lines and points.
    return [part for g in getattr(geometry, "geoms", []) for part in _polygons(g)]


def _pair(lon: float, lat: float) -> str:
    def number(value: float) -> str:
        text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text

    return f"{number(lat)},{number(lon)}"


def _ring(polygon: Polygon) -> str | None:
    """The polygon's outline as CAP's pairs, or None when nothing of it is left at CAP's precision."""
    tolerance = SIMPLIFY_DEGREES
    exterior = Polygon(polygon.exterior)
    while True:
        simple = shapely.set_precision(exterior.simplify(tolerance, preserve_topology=True), GRID)
        parts = [p for p in _polygons(simple) if not p.is_empty and p.is_valid and p.area > 0]
        if not parts:
            return None
        outline = max(parts, key=lambda p: p.area)
        coords = list(shapely.orient_polygons(outline).exterior.coords)
        if len(coords) <= MAX_PAIRS:
            break
        tolerance *= 2
    if coords[0] != coords[-1]:
        coords.append(coords[0])
    return " ".join(_pair(lon, lat) for lon, lat in coords) if len(coords) >= 4 else None


def polygons_of(geometry: BaseGeometry | None) -> tuple[str, ...]:
    """CAP polygons for a geometry: one per part, largest first."""
    if geometry is None or geometry.is_empty:
        return ()
    rings = [_ring(p) for p in sorted(_polygons(geometry), key=lambda p: -p.area)]
    return tuple(ring for ring in rings if ring)


def area_of(alert: Alert) -> CapArea:
    """The CAP area of an alert: its places by name (as its public page names them) and its polygons."""
    targeting = _targeting_of(alert)
    geometry = _geometry(targeting.get("areas") if isinstance(targeting, dict) else None)
    excluded = _geometry(targeting.get("exclude_areas")) if isinstance(targeting, dict) else None
    if geometry is not None and excluded is not None:
        geometry = geometry.difference(excluded)
    places = alert_coverage(alert).places
    description = "; ".join(places) if places else "The area of the alert"
    return CapArea(description=description, polygons=polygons_of(geometry))
