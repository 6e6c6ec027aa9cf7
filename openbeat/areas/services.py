"""Writes to the geography. Every boundary change goes through here so spatial indexes know to rebuild."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils.text import slugify
from shapely.geometry import shape

from openbeat.areas import geo
from openbeat.areas.models import Division, Neighbourhood, Postcode
from openbeat.core.models import Force
from openbeat.core.pagecache import public_content_changed


def boundaries_changed() -> None:
    """Tell every process that its spatial index is stale (see areas.geo)."""
    force = Force.current()
    if force.pk is None:
        force.save()
    Force.objects.filter(pk=force.pk).update(boundaries_version=F("boundaries_version") + 1)
    # This process rebuilds at once; after commit again, in case a thread rebuilt from uncommitted rows.
    geo.invalidate()
    transaction.on_commit(geo.invalidate)
    public_content_changed()  # maps and neighbourhood pages (an UPDATE sends no signal)


def division_get_or_create(*, name: str, code: str | None = None) -> Division:
    division, _ = Division.objects.get_or_create(name=name, defaults={"code": code or slugify(name)})
    return division


def boundary_fields(geojson: dict[str, Any] | None) -> dict[str, Any]:
    """The columns derived from a GeoJSON (Multi)Polygon: the geometry itself, its bbox and centroid."""
    if geojson is None:
        return dict.fromkeys(("boundary", "min_lon", "min_lat", "max_lon", "max_lat", "centroid_lon", "centroid_lat"))
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
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "centroid_lon": inside.x,
        "centroid_lat": inside.y,
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
        boundary_changed = values.get("boundary") is not None
    else:
        neighbourhood = existing
        changed_keys = {key for key, value in values.items() if getattr(existing, key) != value}
        changed = bool(changed_keys)
        boundary_changed = "boundary" in changed_keys
        if changed:
            for key in changed_keys:
                setattr(existing, key, values[key])
            existing.save()
    # Only a new shape moves the spatial index; a renamed neighbourhood does not.
    if boundary_changed:
        boundaries_changed()
    return neighbourhood, changed


def neighbourhood_population_set(*, neighbourhood: Neighbourhood, population: int | None) -> bool:
    """Set the population; returns whether it changed."""
    if neighbourhood.population == population:
        return False
    neighbourhood.population = population
    Neighbourhood.objects.filter(pk=neighbourhood.pk).update(population=population)
    public_content_changed()
    return True


PostcodeRow = tuple[str, float, float, int | None, str]  # postcode, lat, lon, neighbourhood_id, source_area


def postcodes_upsert(*, rows: Iterable[PostcodeRow], batch_size: int = 5_000) -> int:
    """Insert or replace postcodes in bulk. Returns how many rows were written.

    One parameterised INSERT ... ON CONFLICT through executemany, the same SQL on SQLite and PostgreSQL: for
    the Lancashire Code-Point files it wrote ~9x faster than bulk_create(update_conflicts=True) on SQLite
    (benchmarks/postcodes.py prints both).
    """
    table = connection.ops.quote_name(Postcode._meta.db_table)
    # The table name comes from the model; values are parameters.
    sql = (
        f"INSERT INTO {table} (postcode, lat, lon, neighbourhood_id, source_area) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
        "ON CONFLICT (postcode) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, "
        "neighbourhood_id = excluded.neighbourhood_id, source_area = excluded.source_area"
    )
    written = 0
    batch: list[PostcodeRow] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def postcodes_assign(*, postcodes: QuerySet[Postcode] | None = None, chunk_size: int = 50_000) -> int:
    """(Re)assign each postcode's neighbourhood from its point, e.g. after a boundary import.

    Returns how many postcodes changed neighbourhood. Postcodes outside every boundary get none.
    """
    queryset = (postcodes if postcodes is not None else Postcode.objects.all()).order_by("postcode")
    table = connection.ops.quote_name(Postcode._meta.db_table)
    sql = f"UPDATE {table} SET neighbourhood_id = %s WHERE postcode = %s"  # noqa: S608 (table from the model)
    changed = 0
    last: str | None = None
    while True:
        chunk = queryset if last is None else queryset.filter(postcode__gt=last)
        rows = list(chunk.values_list("postcode", "lon", "lat", "neighbourhood_id")[:chunk_size])
        if not rows:
            return changed
        lons = np.fromiter((row[1] for row in rows), dtype=np.float64, count=len(rows))
        lats = np.fromiter((row[2] for row in rows), dtype=np.float64, count=len(rows))
        found = geo.locate_many(lons, lats).tolist()
        updates = [(pk or None, row[0]) for row, pk in zip(rows, found, strict=True) if (pk or None) != row[3]]
        if updates:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(sql, updates)
            changed += len(updates)
        last = rows[-1][0]
