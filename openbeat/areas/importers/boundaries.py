"""Neighbourhood boundaries: GeoJSON FeatureCollections (optionally joined to a mapping CSV), or the
data.police.uk boundary shape (a JSON list of {"latitude", "longitude"} points for one neighbourhood).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from openbeat.areas.importers.files import load_json, read_csv_dicts
from openbeat.areas.importers.report import ImportFileError, ImportReport, progress_bar
from openbeat.areas.models import Division, Neighbourhood
from openbeat.areas.services import division_get_or_create, neighbourhood_upsert, postcodes_assign
from openbeat.audit.services import log_action
from openbeat.core.users import StaffUser


@dataclass(frozen=True)
class MappingColumns:
    """Column names in the mapping CSV. The defaults fit the Lancashire neighbourhoods.csv."""

    code: str = "neighbourhood_id"
    name: str = "name"
    division: str = "division"
    feature: str = "ward_code"
    population: str = "population_census2021"


@dataclass(frozen=True)
class Feature:
    ref: str
    geometry: dict[str, Any]
    properties: dict[str, Any]
    where: str


def _features(data: Any, path: str | Path) -> list[dict[str, Any]]:
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if isinstance(features, list):
            return features
    if isinstance(data, dict) and data.get("type") == "Feature":
        return [data]
    if isinstance(data, list):
        raise ImportFileError(f"{path}: a data.police.uk boundary (a list of points): say which neighbourhood it is")
    raise ImportFileError(f"{path}: not a GeoJSON FeatureCollection")


def read_features(paths: Sequence[str | Path], *, id_property: str, report: ImportReport) -> dict[str, Feature]:
    """Boundary features by their id property; features without an id or a polygon are reported and skipped."""
    found: dict[str, Feature] = {}
    for path in paths:
        for number, feature in enumerate(_features(load_json(path), path), start=1):
            where = f"feature {number}"
            properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
            ref = str(properties.get(id_property) or (feature.get("id") if isinstance(feature, dict) else "") or "")
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            if not ref:
                report.error(where, f"no {id_property!r} property", source=str(path))
            elif not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
                report.error(where, f"{ref}: the geometry is not a Polygon or MultiPolygon", source=str(path))
            elif ref in found:
                report.error(where, f"{ref} appears twice (first as {found[ref].where})", source=str(path))
            else:
                found[ref] = Feature(ref=ref, geometry=geometry, properties=properties, where=f"{path} {where}")
    return found


class _Upserter:
    """Counts what neighbourhood_upsert did into the report."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.existing = set(Neighbourhood.objects.values_list("code", flat=True))
        self.divisions: dict[str, Division] = {}

    def division(self, name: str) -> Division:
        if name not in self.divisions:
            self.divisions[name] = division_get_or_create(name=name)
        return self.divisions[name]

    def upsert(self, where: int | str, *, source: str = "", **values: Any) -> None:
        try:
            # A savepoint, so one bad shape does not undo the rows before it.
            with transaction.atomic():
                _, changed = neighbourhood_upsert(**values)
        except ValueError as exc:
            self.report.error(where, f"{values['code']}: {exc}", source=source)
            return
        if values["code"] not in self.existing:
            self.report.created += 1
            self.existing.add(values["code"])
        elif changed:
            self.report.updated += 1
        else:
            self.report.unchanged += 1


def _finish(report: ImportReport, *, actor: StaffUser | None, action_data: dict[str, Any]) -> ImportReport:
    if report.created or report.updated:
        moved = postcodes_assign()
        report.notes.append(f"{moved} postcodes moved to another neighbourhood (or out of every one)")
    log_action("areas.boundaries.import", actor=actor, data={**action_data, **report.as_dict()})
    return report


def import_geojson_boundaries(
    paths: Sequence[str | Path],
    *,
    id_property: str = "ons_code",
    name_property: str = "name",
    mapping: str | Path | None = None,
    columns: MappingColumns | None = None,
    division: str = "",
    division_property: str = "",
    progress: bool = False,
    actor: StaffUser | None = None,
) -> ImportReport:
    """Import boundary features as neighbourhoods.

    With `mapping`, each CSV row names a neighbourhood (code, name, division, population) and the feature that
    is its boundary; features the mapping does not mention are skipped. Without it, each feature is a
    neighbourhood whose code is its id, in the division given by `division_property` or `division`.
    """
    if mapping is None and not (division or division_property):
        raise ImportFileError("Give a division (or a division property), or a mapping CSV")
    report = ImportReport()
    features = read_features(paths, id_property=id_property, report=report)
    if not features:
        raise ImportFileError("No boundary features found")
    with transaction.atomic():
        upserter = _Upserter(report)
        if mapping is None:
            _import_features(features, upserter, name_property, division, division_property, progress)
        else:
            _import_mapping(Path(mapping), features, upserter, columns or MappingColumns(), progress)
        _finish(report, actor=actor, action_data={"files": [Path(p).name for p in paths]})
    return report


def _import_features(
    features: dict[str, Feature],
    upserter: _Upserter,
    name_property: str,
    division: str,
    division_property: str,
    progress: bool,
) -> None:
    with progress_bar(enabled=progress, total=len(features), desc="boundaries", unit="feature") as bar:
        for feature in features.values():
            bar.update(1)
            name = html.unescape(str(feature.properties.get(name_property) or "")).strip()
            division_name = str(feature.properties.get(division_property) or "") if division_property else division
            if not name:
                upserter.report.error(feature.where, f"{feature.ref}: no {name_property!r} property")
            elif not division_name:
                upserter.report.error(feature.where, f"{feature.ref}: no {division_property!r} property")
            else:
                upserter.upsert(
                    feature.where,
                    code=feature.ref,
                    name=name,
                    division=upserter.division(division_name),
                    boundary=feature.geometry,
                    boundary_ref=feature.ref,
                )


def _import_mapping(
    mapping: Path, features: dict[str, Feature], upserter: _Upserter, columns: MappingColumns, progress: bool
) -> None:
    report = upserter.report
    required = [columns.code, columns.name, columns.division, columns.feature]
    used: set[str] = set()
    seen: dict[str, int] = {}
    with progress_bar(enabled=progress, total=len(features), desc="boundaries", unit="row") as bar:
        for line, row in read_csv_dicts(mapping, required=required):
            bar.update(1)
            code, ref = row[columns.code], row[columns.feature]
            name = html.unescape(row[columns.name])
            population_text = row.get(columns.population, "").replace(",", "")
            if not code or not name or not row[columns.division] or not ref:
                empty = [c for c in required if not row[c]]
                report.error(line, f"empty {', '.join(empty)}", source=mapping.name)
            elif code in seen:
                report.error(line, f"{code} appears twice (first on line {seen[code]})", source=mapping.name)
            elif ref not in features:
                report.error(line, f"{code}: no boundary feature with id {ref}", source=mapping.name)
            elif population_text and not population_text.isdigit():
                report.error(line, f"{code}: population {population_text!r} is not a whole number", source=mapping.name)
            else:
                seen[code] = line
                used.add(ref)
                upserter.upsert(
                    line,
                    source=mapping.name,
                    code=code,
                    name=name,
                    division=upserter.division(row[columns.division]),
                    boundary=features[ref].geometry,
                    boundary_ref=ref,
                    population=int(population_text) if population_text else None,
                )
    unused = len(features) - len(used)
    if unused:
        report.skipped += unused
        report.notes.append(f"{unused} boundary features are not in the mapping and were skipped")


def police_boundary_geojson(points: Any, *, report: ImportReport, source: str = "") -> dict[str, Any]:
    """A GeoJSON Polygon from data.police.uk's [{"latitude": "..", "longitude": ".."}, ...]."""
    if not isinstance(points, list):
        raise ImportFileError(f"{source}: not a data.police.uk boundary (a JSON list of points)")
    ring: list[list[float]] = []
    for number, point in enumerate(points, start=1):
        try:
            lat, lon = float(point["latitude"]), float(point["longitude"])
        except (KeyError, TypeError, ValueError):
            report.error(f"point {number}", "needs a numeric latitude and longitude", source=source, skipped=False)
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            report.error(f"point {number}", f"{lat},{lon} is not a latitude,longitude", source=source, skipped=False)
            continue
        ring.append([lon, lat])
    if len(ring) >= 1 and ring[0] != ring[-1]:
        ring.append(ring[0])
    if len(ring) < 4:
        raise ImportFileError(f"{source}: a boundary needs at least three points")
    return {"type": "Polygon", "coordinates": [ring]}


def import_police_boundary(
    path: str | Path,
    *,
    code: str,
    name: str = "",
    division: str = "",
    progress: bool = False,
    actor: StaffUser | None = None,
) -> ImportReport:
    """Import one neighbourhood's boundary in data.police.uk's shape. A new neighbourhood needs a division."""
    report = ImportReport()
    geometry = police_boundary_geojson(load_json(path), report=report, source=Path(path).name)
    existing = Neighbourhood.objects.select_related("division").filter(code=code).first()
    if existing is None and not division:
        raise ImportFileError(f"No neighbourhood {code} yet: give its division (and name) to create it")
    with transaction.atomic():
        upserter = _Upserter(report)
        upserter.upsert(
            Path(path).name,
            code=code,
            name=html.unescape(name) if name else (existing.name if existing else code),
            division=upserter.division(division) if division else existing.division,  # type: ignore[union-attr]
            boundary=geometry,
        )
        _finish(report, actor=actor, action_data={"files": [Path(path).name], "neighbourhood": code})
    return report
