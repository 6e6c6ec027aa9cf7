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

from openbeat.areas.services import boundary_fields

EARTH_M = 6_371_008.8  # the mean radius (IUGG), as benchmarks/api.py uses
MILE_M = 1_609.344
_GEOD = Geod(ellps="WGS84")
# A circle of 48 sides is within 0.3% of a true circle's area: plenty for "is my house in the scheme".
_CIRCLE_SIDES = 48
RADIUS_CHOICES = [100, 250, 500, 1000, 1609]


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
