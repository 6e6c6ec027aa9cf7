"""data.police.uk's monthly street-level CSVs (the archive's `<month>-<force>-street.csv`).

Each row becomes a Crime placed in the neighbourhood its point falls in (areas.geo, located in bulk with numpy);
rows without a point are kept with no neighbourhood; rows whose point is outside every boundary are kept with
`outside_force=True`. Bad rows (a month that is not YYYY-MM, a crime type data.police.uk does not have,
coordinates that are not a point) are reported as "line N: reason" and left out; the rest are imported.

Importing a file again changes nothing: each row has a stable key (see Crime.row_key) and only new rows are
inserted, and rows whose outcome, location or neighbourhood moved are updated. The file is read in chunks, each
chunk located, compared with what is stored (one query per 2,000 keys) and written with bulk_create, so memory
stays flat and there is no query per row: a million-row file is a matter of minutes, a month of one force seconds.
"""

from __future__ import annotations

import csv
import getpass
import hashlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.utils import timezone

from openbeat.areas import geo
from openbeat.areas.importers.files import open_text
from openbeat.areas.importers.report import ImportFileError, ImportReport, progress_bar
from openbeat.audit.services import log_action
from openbeat.core.months import is_month, month_start
from openbeat.core.users import RequestUser
from openbeat.crime.categories import category_for
from openbeat.crime.models import MICRO, Crime, CrimeImport
from openbeat.crime.services import categories_ensure, crime_counts_refresh, crimes_write

COLUMNS = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
           "LSOA name", "Crime type", "Last outcome category", "Context"]  # fmt: skip
_ID, _MONTH, _BY, _WITHIN, _LON, _LAT, _LOCATION, _LSOA, _LSOA_NAME, _TYPE, _OUTCOME, _CONTEXT = range(12)
CHUNK_ROWS = 20_000
LOOKUP_BATCH = 2_000
ERRORS_RECORDED = 50
# What a stored row is compared on to tell "unchanged" from "updated".
_COMPARED = ("persistent_id", "category_id", "lat_e6", "lon_e6", "location", "lsoa_code", "lsoa_name",
             "reported_by", "falls_within", "outcome_category", "context", "neighbourhood_id",
             "outside_force")  # fmt: skip


@dataclass
class CrimeReport(ImportReport):
    """ImportReport's counts, and the crime-specific ones (rows without a point, rows outside the force)."""

    rows: int = 0
    without_location: int = 0
    outside_force: int = 0
    months: set[str] = field(default_factory=set)

    @property
    def rejected(self) -> int:
        return self.error_count

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.without_location} without a location, {self.outside_force} outside the force, "
            f"{self.rejected} rejected"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "rows": self.rows,
            "without_location": self.without_location,
            "outside_force": self.outside_force,
            "rejected": self.rejected,
            "months": sorted(self.months),
        }


@dataclass
class _Row:
    line: int
    key: str
    month: str
    category: str
    lat_e6: int | None
    lon_e6: int | None
    cells: list[str]


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class _Parser:
    """Turns CSV rows into _Rows, reporting bad ones; numbers identical rows so each has its own key."""

    def __init__(self, report: CrimeReport, source: str) -> None:
        self.report, self.source = report, source
        self.seen: dict[str, int] = {}

    def error(self, line: int, reason: str) -> None:
        self.report.error(line, reason, source=self.source)

    def parse(self, line: int, cells: list[str]) -> _Row | None:
        if len(cells) < len(COLUMNS):
            if any(cell.strip() for cell in cells):
                self.error(line, f"expected {len(COLUMNS)} columns, found {len(cells)}")
            return None
        cells = [cell.strip() for cell in cells[: len(COLUMNS)]]
        month = cells[_MONTH]
        if not is_month(month):
            self.error(line, f"month {month!r} is not a month written as YYYY-MM")
            return None
        category = category_for(cells[_TYPE])
        if category is None:
            self.error(line, f"unknown crime type {cells[_TYPE]!r}")
            return None
        lon_text, lat_text = cells[_LON], cells[_LAT]
        lat_e6 = lon_e6 = None
        if lon_text or lat_text:
            try:
                lon, lat = float(lon_text), float(lat_text)
            except ValueError:
                self.error(line, f"coordinates {lon_text!r},{lat_text!r} are not a longitude and a latitude")
                return None
            if not (math.isfinite(lon) and math.isfinite(lat) and abs(lat) <= 90 and abs(lon) <= 180):
                self.error(line, f"coordinates {lon_text},{lat_text} are not a longitude and a latitude")
                return None
            lat_e6, lon_e6 = round(lat * MICRO), round(lon * MICRO)
        # The same crime is the same row: by its id when it has one (its outcome and point may change in a
        # later release), by everything but the outcome when it has none (anti-social behaviour).
        identity = f"{month}\x1f{cells[_ID]}" if cells[_ID] else "\x1f".join(cells[:_OUTCOME] + cells[_CONTEXT:])
        occurrence = self.seen.get(identity, 0) + 1
        self.seen[identity] = occurrence
        return _Row(line, _digest(f"{identity}\x1e{occurrence}"), month, category, lat_e6, lon_e6, cells)


def _chunks(path: Path, parser: _Parser, bar: Any) -> Iterator[list[_Row]]:
    with open_text(path) as handle:
        reader = csv.reader(handle)
        raw = getattr(handle, "buffer", None)
        try:
            header = [name.strip() for name in next(reader, [])]
            if header[: len(COLUMNS)] != COLUMNS:
                missing = [name for name in COLUMNS if name not in header]
                if missing or len(header) < len(COLUMNS):
                    raise ImportFileError(
                        f"{path}: not a data.police.uk street-level CSV (no column "
                        f"{', '.join(repr(m) for m in missing) or 'in the expected order'}; "
                        f"the header has {', '.join(header) or 'nothing'})"
                    )
                raise ImportFileError(f"{path}: the columns are not in data.police.uk's order ({', '.join(COLUMNS)})")
            chunk: list[_Row] = []
            for cells in reader:
                parser.report.rows += 1
                row = parser.parse(reader.line_num, cells)
                if row is not None:
                    chunk.append(row)
                if len(chunk) >= CHUNK_ROWS:
                    yield chunk
                    chunk = []
                    # The bytes read so far (csv reads ahead, so a little early): enough for a progress bar.
                    bar.update(raw.tell() - bar.n if raw is not None else 0)
            if chunk:
                yield chunk
        except csv.Error as exc:
            raise ImportFileError(f"{path}: line {reader.line_num}: {exc}") from exc
        bar.update(max(path.stat().st_size - bar.n, 0))


def _stored(keys: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), LOOKUP_BATCH):
        rows = Crime.objects.filter(row_key__in=keys[start : start + LOOKUP_BATCH]).values("pk", "row_key", *_COMPARED)
        found.update((row["row_key"], row) for row in rows)
    return found


def _save_chunk(rows: list[_Row], report: CrimeReport, *, source: CrimeImport, boundaries: bool) -> None:
    located = [i for i, row in enumerate(rows) if row.lat_e6 is not None]
    neighbourhood_ids = [0] * len(rows)
    if located and boundaries:
        lons = np.fromiter((rows[i].lon_e6 for i in located), dtype=np.float64, count=len(located)) / MICRO
        lats = np.fromiter((rows[i].lat_e6 for i in located), dtype=np.float64, count=len(located)) / MICRO
        for i, pk in zip(located, geo.locate_many(lons, lats).tolist(), strict=True):
            neighbourhood_ids[i] = pk
    stored = _stored([row.key for row in rows])
    new: list[Crime] = []
    changed: list[Crime] = []
    for row, neighbourhood_id in zip(rows, neighbourhood_ids, strict=True):
        cells = row.cells
        has_point = row.lat_e6 is not None
        outside = has_point and boundaries and not neighbourhood_id
        report.months.add(row.month)
        report.without_location += int(not has_point)
        report.outside_force += int(outside)
        values: dict[str, Any] = {
            "persistent_id": cells[_ID][:64],
            "category_id": row.category,
            "lat_e6": row.lat_e6,
            "lon_e6": row.lon_e6,
            "location": cells[_LOCATION][:255],
            "lsoa_code": cells[_LSOA][:12],
            "lsoa_name": cells[_LSOA_NAME][:100],
            "reported_by": cells[_BY][:100],
            "falls_within": cells[_WITHIN][:100],
            "outcome_category": cells[_OUTCOME][:150],
            "context": cells[_CONTEXT],
            "neighbourhood_id": neighbourhood_id or None,
            "outside_force": outside,
        }
        before = stored.get(row.key)
        if before is None:
            report.created += 1
            new.append(Crime(row_key=row.key, month=month_start(row.month), source=source, **values))
        elif all(before[name] == values[name] for name in _COMPARED):
            report.unchanged += 1
        else:
            report.updated += 1
            changed.append(Crime(pk=before["pk"], month=month_start(row.month), **values))
    crimes_write(new=new, changed=changed)


def _actor_label(actor: RequestUser | None) -> str:
    if actor is not None and actor.is_authenticated:
        return actor.get_username()
    try:
        return f"command line (as {getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


def import_crime_file(
    path: str | Path, *, report: CrimeReport | None = None, progress: bool = False, actor: RequestUser | None = None
) -> CrimeReport:
    """Import one street-level CSV; the returned report's counts are this file's (added to `report` if given)."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    categories_ensure()
    file_report = CrimeReport()
    record = CrimeImport.objects.create(
        file_name=path.name[:255],
        started_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=_actor_label(actor),
    )
    boundaries = len(geo.boundary_index()) > 0
    if not boundaries:
        file_report.notes.append(
            f"{path.name}: no neighbourhood boundaries yet: crimes were kept without a neighbourhood, none marked "
            "outside the force (import the file again after the boundaries)"
        )
    parser = _Parser(file_report, path.name)
    try:
        with progress_bar(enabled=progress, total=path.stat().st_size, desc=path.name, unit="B") as bar:
            for chunk in _chunks(path, parser, bar):
                _save_chunk(chunk, file_report, source=record, boundaries=boundaries)
    except ImportFileError:
        record.delete()  # its crimes and their counts go with it (CASCADE)
        # Rows it updated before the failure belong to earlier imports: their months are counted again.
        crime_counts_refresh(months=[month_start(m) for m in file_report.months])
        raise
    months = sorted(file_report.months)
    # Rows updated from an earlier import stay that import's (Crime.source), so each month is counted again whole.
    crime_counts_refresh(months=[month_start(m) for m in months])
    record.first_month = month_start(months[0]) if months else None
    record.last_month = month_start(months[-1]) if months else None
    record.rows = file_report.rows
    record.created, record.updated, record.unchanged = file_report.created, file_report.updated, file_report.unchanged
    record.without_location, record.outside_force = file_report.without_location, file_report.outside_force
    record.rejected = file_report.rejected
    record.errors = file_report.errors[:ERRORS_RECORDED]
    record.finished_at = timezone.now()
    record.save()
    log_action("crime.import.run", actor=actor, target=record, data={"file": path.name, **file_report.as_dict()})
    if report is not None:
        _add(report, file_report)
    return file_report


def _add(total: CrimeReport, part: CrimeReport) -> None:
    for name in ("created", "updated", "unchanged", "skipped", "error_count", "rows", "without_location",
                 "outside_force"):  # fmt: skip
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.errors.extend(part.errors)
    total.notes.extend(part.notes)
    total.months |= part.months


def import_crimes(
    paths: Sequence[str | Path], *, progress: bool = False, actor: RequestUser | None = None
) -> CrimeReport:
    """Import street-level CSVs (each recorded as a CrimeImport and in the audit log)."""
    if not paths:
        raise ImportFileError("No crime files given")
    report = CrimeReport()
    for path in paths:
        import_crime_file(path, report=report, progress=progress, actor=actor)
    return report
