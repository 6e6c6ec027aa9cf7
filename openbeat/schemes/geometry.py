"""A scheme's area: a circle drawn around a postcode, a shape pasted by staff, or chosen neighbourhoods; and the
distances between points on the Earth.

Areas go through areas.services.boundary_fields, as neighbourhood boundaries do, so both are checked and stored
the same way (valid, WGS84, bbox columns, a centre that is inside the shape).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape
from shapely.ops import nearest_points

from openbeat.areas.models import Neighbourhood
from openbeat.areas.services import boundary_fields
from openbeat.core.models import Force

EARTH_M = 6_371_008.8  # the mean radius (IUGG), as benchmarks/api.py uses
MILE_M = 1_609.344
_GEOD = Geod(ellps="WGS84")
# A circle of 48 sides is within 0.3% of a true circle's area: plenty for "is my house in the scheme".
_CIRCLE_SIDES = 48
RADIUS_CHOICES = [100, 250, 500, 1000, 1609]
# A drawn area larger than this is a mistake (a slip of the mouse at a low zoom): a large rural Farm Watch covers
# a few hundred square kilometres at most.
MAX_DRAWN_KM2 = 300.0
# The share of a drawn area that may lie outside the force's neighbourhoods (a street drawn a little past the
# force's border, or the slack between hand-drawn and surveyed lines).
MAX_OUTSIDE_SHARE = 0.1
# How far a scheme's postcode may be from the area drawn for it.
NEAR_POSTCODE_M = 1000.0


class AreaError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def circle(*, lat: float, lon: float, radius_m: float) -> dict[str, Any]:
    """A GeoJSON Polygon approximating the circle of `radius_m` metres around the point (on the ellipsoid)."""
    azimuths = np.linspace(0.0, 360.0, _CIRCLE_SIDES, endpoint=False)
    lons, lats, _ = _GEOD.fwd(
        np.full(_CIRCLE_SIDES, lon), np.full(_CIRCLE_SIDES, lat), azimuths, np.full(_CIRCLE_SIDES, radius_m)
    )
    ring = [[round(float(x), 6), round(float(y), 6)] for x, y in zip(lons, lats, strict=True)]
    # Clockwise azimuths give a clockwise ring; GeoJSON (RFC 7946) wants exterior rings anticlockwise.
    ring.reverse()
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def union_of(boundaries: Iterable[dict[str, Any] | None]) -> dict[str, Any] | None:
    """One (Multi)Polygon covering every boundary given, or None when none has a shape."""
    geoms = [shape(b) for b in boundaries if b]
    if not geoms:
        return None
    merged = shapely.union_all([g if g.is_valid else shapely.make_valid(g) for g in geoms])
    return json.loads(json.dumps(mapping(merged)))


def parse_geojson(text: str) -> dict[str, Any]:
    """A pasted GeoJSON geometry, Feature or one-feature FeatureCollection, as a geometry dict; AreaError says
    what is wrong in words staff understand."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise AreaError("The area is not valid GeoJSON") from error
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise AreaError("Paste one shape: the collection must hold exactly one feature")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise AreaError("The area must be a Polygon or MultiPolygon")
    try:
        area_fields(data)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as error:
        raise AreaError("The area's shape cannot be read: draw it again") from error
    return data


def area_km2(geojson: dict[str, Any]) -> float:
    """The area of a (Multi)Polygon in square kilometres, on the WGS84 ellipsoid."""
    geom = shape(geojson)
    if not geom.is_valid:
        geom = geom.buffer(0)
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(area) / 1e6


def check_drawn(geojson: dict[str, Any], *, near: tuple[float, float] | None = None) -> None:
    """A drawn area a person may store: not empty, not absurdly large, inside the force's area (its
    neighbourhoods' boundaries; not checked while none is loaded), and, given `near` as (lat, lon), no more than
    NEAR_POSTCODE_M from that point. AreaError says what to change."""
    geom = shape(geojson)
    if not geom.is_valid:
        geom = geom.buffer(0)
    km2 = 0.0 if geom.is_empty else area_km2(geojson)
    if km2 <= 0:
        raise AreaError("The area has no size: draw it again with at least three corners apart")
    if km2 > MAX_DRAWN_KM2:
        raise AreaError(f"The area is too large: draw an area smaller than {MAX_DRAWN_KM2:,.0f} square kilometres")
    with_boundary = Neighbourhood.objects.filter(boundary__isnull=False, min_lon__isnull=False)
    if with_boundary.exists():
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        nearby = with_boundary.filter(
            min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat
        ).values_list("boundary", flat=True)
        force_area = union_of(nearby)
        outside = geom if force_area is None else geom.difference(shape(force_area))
        if outside.area > MAX_OUTSIDE_SHARE * geom.area:
            raise AreaError(f"Draw the area inside {Force.current().name}'s area")
    if near is not None:
        lat, lon = near
        point = shapely.Point(lon, lat)
        nearest = nearest_points(geom, point)[0]
        if not geom.covers(point) and distances_m(lat, lon, [nearest.y], [nearest.x])[0] > NEAR_POSTCODE_M:
            raise AreaError("Draw the area around the scheme's postcode, or change the postcode")


def area_fields(geojson: dict[str, Any] | None) -> dict[str, Any]:
    """The Scheme columns derived from an area: the shape, its bbox, and (when there is a shape) its centre."""
    fields = boundary_fields(geojson)
    out = {
        "area": fields["boundary"],
        "min_lon": fields["min_lon"],
        "min_lat": fields["min_lat"],
        "max_lon": fields["max_lon"],
        "max_lat": fields["max_lat"],
    }
    if geojson is not None:
        out["centre_lon"], out["centre_lat"] = fields["centroid_lon"], fields["centroid_lat"]
    return out


def distances_m(lat: float, lon: float, lats: Any, lons: Any) -> np.ndarray:
    """Great-circle (haversine) distances in metres from one point to many: within 0.5% of the ellipsoid, and
    fast enough for thousands of points at once."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2 = np.radians(np.asarray(lats, dtype=np.float64))
    lon2 = np.radians(np.asarray(lons, dtype=np.float64))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
