"""Writes to the geography. Every boundary change goes through here so spatial indexes know to rebuild."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from shapely.geometry import shape

from openbeat.areas.models import Division, Force, Neighbourhood


def boundaries_changed() -> None:
    """Tell every process that its spatial index is stale (see areas.geo)."""
    force = Force.current()
    if force.pk is None:
        force.save()
    Force.objects.filter(pk=force.pk).update(boundaries_version=F("boundaries_version") + 1)


def division_get_or_create(*, name: str, code: str | None = None) -> Division:
    division, _ = Division.objects.get_or_create(name=name, defaults={"code": code or slugify(name)})
    return division


def boundary_fields(geojson: dict[str, Any] | None) -> dict[str, Any]:
    """The columns derived from a GeoJSON (Multi)Polygon: the geometry itself, its bbox and centroid."""
    if geojson is None:
        return dict.fromkeys(
            ("boundary", "min_lon", "min_lat", "max_lon", "max_lat", "centroid_lon", "centroid_lat")
        )
    geom = shape(geojson)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"A boundary must be a Polygon or MultiPolygon, not a {geom.geom_type}")
    if geom.is_empty:
        raise ValueError("The boundary is empty")
    if not geom.is_valid:
        geom = geom.buffer(0)
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ValueError("The boundary is not in WGS84 longitude/latitude")
    # A point guaranteed inside, for labels and map centring (a true centroid can fall outside a C shape).
    inside = geom.centroid if geom.contains(geom.centroid) else geom.representative_point()
    return {
        # Through JSON, so a re-import of the same shape compares equal to what is stored.
        "boundary": json.loads(json.dumps(geom.__geo_interface__)),
        "min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat,
        "centroid_lon": inside.x, "centroid_lat": inside.y,
    }


@transaction.atomic
def neighbourhood_upsert(
    *,
    code: str,
    name: str,
    division: Division,
    boundary: dict[str, Any] | None = None,
    boundary_ref: str = "",
    population: int | None = None,
    keep_boundary: bool = False,
) -> tuple[Neighbourhood, bool]:
    """Create or update the neighbourhood with this code. Returns (neighbourhood, changed)."""
    values: dict[str, Any] = {"name": name, "division": division}
    if boundary_ref:
        values["boundary_ref"] = boundary_ref
    if population is not None:
        values["population"] = population
    if not keep_boundary:
        values.update(boundary_fields(boundary))
    existing = Neighbourhood.objects.filter(code=code).first()
    if existing is None:
        neighbourhood = Neighbourhood.objects.create(code=code, **values)
        changed = True
    else:
        neighbourhood = existing
        changed = any(getattr(existing, key) != value for key, value in values.items())
        if changed:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.save()
    if changed and "boundary" in values:
        boundaries_changed()
    return neighbourhood, changed
