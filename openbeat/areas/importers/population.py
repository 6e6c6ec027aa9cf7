"""Neighbourhood populations: a CSV of area code -> population, or the Census 2021 ward JSON.

The code matches a neighbourhood's own code or its boundary_ref (e.g. the ONS ward it stands on).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from django.db import transaction

from openbeat.areas.importers.files import first_line, load_json, read_csv_dicts
from openbeat.areas.importers.report import ImportFileError, ImportReport, progress_bar
from openbeat.areas.models import Neighbourhood
from openbeat.areas.services import neighbourhood_population_set
from openbeat.audit.services import log_action
from openbeat.core.users import StaffUser

CENSUS_TOTAL = "Total: All usual residents"
DEFAULT_CODE_COLUMNS = ("code", "area_code", "neighbourhood_id", "ward_code", "ons_code", "geography code")
DEFAULT_POPULATION_COLUMNS = ("population", "population_census2021", "total", CENSUS_TOTAL)


def _pick(header: list[str], wanted: str, defaults: Sequence[str], what: str, path: Path) -> str:
    if wanted:
        return wanted
    by_lower = {name.strip().lower(): name for name in header}
    for candidate in defaults:
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    raise ImportFileError(f"{path}: which column is the {what}? The header has {', '.join(header)}")


def _csv_rows(path: Path, code_column: str, population_column: str) -> Iterator[tuple[int | str, str, str]]:
    header = next(csv.reader([first_line(path)]), [])
    header = [name.strip() for name in header]
    code_column = _pick(header, code_column, DEFAULT_CODE_COLUMNS, "area code (--code-column)", path)
    population_column = _pick(header, population_column, DEFAULT_POPULATION_COLUMNS, "population", path)
    for line, row in read_csv_dicts(path, required=[code_column, population_column]):
        yield line, row[code_column], row[population_column]


def _census_rows(path: Path) -> Iterator[tuple[int | str, str, str]]:
    data = load_json(path)
    wards = data.get("wards") if isinstance(data, dict) else None
    if not isinstance(wards, dict):
        raise ImportFileError(f"{path}: not a census JSON with a 'wards' object")
    for code, ward in wards.items():
        total = (ward.get("age") or {}).get(CENSUS_TOTAL, "") if isinstance(ward, dict) else ""
        yield f"ward {code}", code, str(total)


def import_population(
    paths: Sequence[str | Path],
    *,
    code_column: str = "",
    population_column: str = "",
    progress: bool = False,
    actor: StaffUser | None = None,
) -> ImportReport:
    """Set neighbourhood populations from CSV (or census JSON) files. Unknown codes are reported by line."""
    report = ImportReport()
    by_code: dict[str, list[Neighbourhood]] = {}
    for neighbourhood in Neighbourhood.objects.all():
        by_code.setdefault(neighbourhood.code, []).append(neighbourhood)
        if neighbourhood.boundary_ref and neighbourhood.boundary_ref != neighbourhood.code:
            by_code.setdefault(neighbourhood.boundary_ref, []).append(neighbourhood)
    with transaction.atomic(), progress_bar(enabled=progress, total=len(paths), desc="population", unit="file") as bar:
        for path in map(Path, paths):
            is_json = path.suffix.lower() == ".json"
            rows = _census_rows(path) if is_json else _csv_rows(path, code_column, population_column)
            for where, code, text in rows:
                value = text.replace(",", "").strip()
                if not value and code:
                    report.skipped += 1  # no figure for this area: nothing to set, nothing wrong
                elif not code:
                    report.error(where, "no area code", source=path.name)
                elif not value.isdigit():
                    report.error(where, f"{code}: population {text!r} is not a whole number", source=path.name)
                elif code not in by_code:
                    report.error(where, f"{code}: no neighbourhood with this code or boundary", source=path.name)
                else:
                    for neighbourhood in by_code[code]:
                        if neighbourhood_population_set(neighbourhood=neighbourhood, population=int(value)):
                            report.updated += 1
                        else:
                            report.unchanged += 1
            bar.update(1)
    files = [Path(p).name for p in paths]
    log_action("areas.population.import", actor=actor, data={"files": files, **report.as_dict()})
    return report
