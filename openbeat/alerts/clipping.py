"""Drawn shapes cut to the sender's division.

A division-scoped officer's drawn polygon or circle is cut to their division's area (the union of its
neighbourhoods' boundaries): what is inside is kept as the shape (a Polygon, or a MultiPolygon when the cut
leaves several pieces), what was outside is reported (`Clip`: how much, and the cut part as GeoJSON for the
composer's map). Only a shape with nothing inside the division is refused. Force-wide staff draw anywhere.

A sliver outside of less than NEGLIGIBLE of the shape's own area is left as drawn: a line along a boundary
always wanders a little over it, and a shape that was cut already (then rounded and simplified to at most
`targeting.MAX_VERTICES` points) must not be cut again, with a notice, every time it is saved.
`services.targeting_check_scope` still refuses a stored shape more than SHAPE_OUTSIDE_TOLERANCE outside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

from openbeat.alerts.audience import AreaSet, TargetingSpec, geometry_of
from openbeat.alerts.targeting import MAX_VERTICES, TargetingError
from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.users import RequestUser
from openbeat.staff.scope import scope_for

NEGLIGIBLE = 0.001
_KM_PER_DEGREE_LAT = 110.574
_KM_PER_DEGREE_LON_AT_EQUATOR = 111.320


def division_area(division_ids: frozenset[int]) -> Any:
    """The union of the divisions' neighbourhood boundaries (empty when none has a boundary)."""
    boundaries = Neighbourhood.objects.filter(division__in=division_ids, boundary__isnull=False).values_list(
        "boundary", flat=True
    )
    return shapely.union_all([shapely.make_valid(shape(b)) for b in boundaries])


def area_km2(geom: Any) -> float:
    """A longitude/latitude geometry's area on the ground, near enough for a county (local equirectangular)."""
    if geom.is_empty:
        return 0.0
    lat0 = math.radians(geom.centroid.y)
    scale = np.array([_KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(lat0), _KM_PER_DEGREE_LAT])
    return float(shapely.transform(geom, lambda coords: coords * scale).area)


def _polygons(geom: Any) -> Any:
    """Only the areal parts of an intersection (which can also hold the lines and points where edges touch)."""
    parts = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon | MultiPolygon) and not g.is_empty]
    polygons = [p for g in parts for p in getattr(g, "geoms", [g])]
    if not polygons:
        return Polygon()
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _vertices(geom: Any) -> int:
    return sum(len(p.exterior.coords) for p in getattr(geom, "geoms", [geom]))


def _as_geojson(geom: Any) -> dict[str, Any]:
    """The geometry as GeoJSON that `targeting.spec_from_json` accepts: rounded to 6 places (about 10 cm) and
    simplified until it has at most MAX_VERTICES points."""
    tolerance = 0.00001
    fitted = geom
    while _vertices(fitted) > MAX_VERTICES:
        fitted = _polygons(geom.simplify(tolerance, preserve_topology=True))
        tolerance *= 2
    fitted = _polygons(shapely.make_valid(shapely.set_precision(fitted, 0.000001)))
    return dict(mapping(fitted))


@dataclass(frozen=True)
class Clip:
    """What was cut from the drawn shapes: where they went outside to, how much, and the part cut off."""

    division: str
    share: float  # of the drawn shapes' area
    km2: float
    cut: Any  # shapely geometry

    @property
    def notice(self) -> str:
        percent = "less than 1%" if self.share < 0.005 else f"about {self.share:.0%}"
        size = f"{self.km2:.2f} km²" if self.km2 < 10 else f"{self.km2:.1f} km²"
        return (
            f"Your drawn area went outside {self.division}: the part outside ({percent} / {size}) was cut. "
            "The map shows what was cut."
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "notice": self.notice,
            "percent": round(self.share * 100, 1),
            "km2": round(self.km2, 3),
            "cut": _as_geojson(self.cut),
        }


def shapes_clip(*, user: RequestUser, spec: TargetingSpec) -> tuple[TargetingSpec, Clip | None]:
    """`spec` with its drawn shapes cut to `user`'s division, and what was cut (None when nothing was).

    Raises TargetingError when a shape lies entirely outside. Shapes to leave out (`exclude_areas`) only narrow
    the audience, so they are kept as drawn; so are everyone's shapes when the user is force-wide, and the spec
    of a user with no division (whom `targeting_check_scope` refuses).
    """
    scope = scope_for(user)
    areas = spec.areas
    if not areas.shapes or areas.whole_force or scope.force_wide or scope.is_empty:
        return spec, None
    allowed = division_area(scope.division_ids)
    divisions = Division.objects.filter(pk__in=scope.division_ids).order_by("name")
    names = ", ".join(divisions.values_list("name", flat=True))
    kept: list[dict[str, Any]] = []
    cuts: list[Any] = []
    drawn_area = 0.0
    for item in areas.shapes:
        geom = shapely.make_valid(geometry_of(item))
        drawn_area += geom.area
        outside = _polygons(geom.difference(allowed))
        if outside.area <= NEGLIGIBLE * geom.area:
            kept.append(dict(item))
            continue
        inside = _polygons(geom.intersection(allowed))
        if inside.is_empty or inside.area <= NEGLIGIBLE * geom.area:
            raise TargetingError(f"A drawn area is entirely outside {names or 'your division'}: draw it inside it")
        kept.append(_as_geojson(inside))
        cuts.append(outside)
    if not cuts:
        return spec, None
    cut = shapely.union_all(cuts)
    clipped = AreaSet(
        whole_force=areas.whole_force,
        divisions=areas.divisions,
        neighbourhoods=areas.neighbourhoods,
        shapes=tuple(kept),
    )
    clip = Clip(division=names, share=min(cut.area / drawn_area, 1.0), km2=area_km2(cut), cut=cut)
    return TargetingSpec(
        areas=clipped,
        exclude_areas=spec.exclude_areas,
        topics=spec.topics,
        groups=spec.groups,
        demographics=spec.demographics,
        channels=spec.channels,
    ), clip
