"""Postcode points: OS Code-Point Open (headerless, British National Grid) or ONS Postcode Directory-style
CSVs (a header with postcode, lat, long). Each postcode gets the neighbourhood its point falls in.

Speed matters (a force imports tens of thousands of postcodes, a whole-country file 1.7 million): rows are
parsed with the csv module, converted and located in bulk with numpy, compared with what is stored, and
only new or changed rows are written, in one executemany.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pyproj import Transformer

from openbeat.areas import geo
from openbeat.areas.importers.files import first_line, open_text
from openbeat.areas.importers.report import ImportFileError, ImportReport, progress_bar
from openbeat.areas.models import Postcode
from openbeat.areas.postcodes import MalformedPostcode, normalise_postcode
from openbeat.areas.services import PostcodeRow, postcodes_upsert
from openbeat.audit.services import log_action
from openbeat.core.users import StaffUser

Format = Literal["codepoint", "onspd"]
Outside = Literal["keep", "skip"]

# Code-Point Open's columns, as Code-Point_Open_Column_Headers.csv lists them (the data files have no header).
CODEPOINT_COLUMNS = (
    "Postcode", "Positional_quality_indicator", "Eastings", "Northings", "Country_code", "NHS_regional_HA_code",
    "NHS_HA_code", "Admin_county_code", "Admin_district_code", "Admin_ward_code",
)  # fmt: skip
_CP_POSTCODE, _CP_QUALITY, _CP_EAST, _CP_NORTH, _CP_WARD = 0, 1, 2, 3, 9
# PQI 90: no coordinates (the postcode has no address with a known position).
_CP_NO_POSITION = "90"

ONSPD_POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd8", "postcode")
ONSPD_LAT_COLUMNS = ("lat", "latitude")
ONSPD_LON_COLUMNS = ("long", "lon", "longitude", "lng")
ONSPD_AREA_COLUMNS = ("osward", "ward", "wd", "admin_ward_code", "source_area")
ONSPD_TERMINATED_COLUMNS = ("doterm",)
# ONSPD marks a postcode without a grid reference with latitude 99.999999.
_ONSPD_NO_POSITION_LAT = 99.0

# Postcodes outside every boundary are kept (so a search says "outside the area" rather than "unknown")
# only this close to the force: national files would otherwise fill the table with the whole country.
DEFAULT_OUTSIDE_MARGIN_KM = 10.0

_CANONICAL_MATCH = re.compile(r"(?:[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}|GIR 0AA)").fullmatch
_to_wgs84 = Transformer.from_crs(27700, 4326, always_xy=True)


@dataclass
class ParsedPostcodes:
    """Postcodes from one file, with WGS84 points and the file's own area code for each."""

    postcodes: list[str] = field(default_factory=list)
    lats: np.ndarray = field(default_factory=lambda: np.empty(0))
    lons: np.ndarray = field(default_factory=lambda: np.empty(0))
    areas: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.postcodes)


def postcode_files(paths: Iterable[str | Path]) -> list[Path]:
    """The files to read: folders expand to their CSVs (leaving out Code-Point's column header file)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(p for p in sorted(path.glob("*.csv")) if "column_headers" not in p.name.lower())
        else:
            files.append(path)
    return files


def detect_format(path: str | Path) -> Format:
    """Code-Point files start with a postcode; ONSPD-style files with a header."""
    line = first_line(path)
    first = next(csv.reader([line]), [""])[0] if line.strip() else ""
    try:
        normalise_postcode(first)
    except MalformedPostcode:
        return "onspd"
    return "codepoint"


class _Collector:
    """Gathers good rows, reporting malformed and repeated postcodes by line."""

    def __init__(self, report: ImportReport, source: str) -> None:
        self.report, self.source = report, source
        self.seen: dict[str, int] = {}
        self.postcodes: list[str] = []
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.areas: list[str] = []

    def add(self, line: int, text: str, x: float, y: float, area: str) -> None:
        # Most files already spell postcodes canonically; the full normaliser is only needed for the rest.
        postcode = text if _CANONICAL_MATCH(text) else None
        if postcode is None:
            try:
                postcode = normalise_postcode(text)
            except MalformedPostcode:
                self.report.error(line, f"{text!r} is not a postcode", source=self.source)
                return
        if postcode in self.seen:
            self.error(line, f"{postcode} appears twice (first on line {self.seen[postcode]})")
            return
        self.seen[postcode] = line
        self.postcodes.append(postcode)
        self.xs.append(x)
        self.ys.append(y)
        self.areas.append(area)

    def error(self, line: int, reason: str) -> None:
        self.report.error(line, reason, source=self.source)


def parse_codepoint(path: str | Path, report: ImportReport) -> ParsedPostcodes:
    source = Path(path).name
    rows = _Collector(report, source)
    with open_text(path) as handle:
        reader = csv.reader(handle)
        try:
            for row in reader:
                line = reader.line_num
                if len(row) <= _CP_NORTH:
                    if any(cell.strip() for cell in row):
                        rows.error(line, f"expected {len(CODEPOINT_COLUMNS)} columns, found {len(row)}")
                    continue
                postcode = row[_CP_POSTCODE]
                try:
                    east, north = float(row[_CP_EAST]), float(row[_CP_NORTH])
                except ValueError:
                    rows.error(line, f"{postcode}: eastings/northings {row[_CP_EAST]!r},{row[_CP_NORTH]!r} not numbers")
                    continue
                if row[_CP_QUALITY].strip() == _CP_NO_POSITION or (east == 0 and north == 0):
                    rows.error(line, f"{postcode}: no coordinates (positional quality {row[_CP_QUALITY]})")
                    continue
                if not (0 < east < 800_000 and 0 < north < 1_400_000):
                    rows.error(line, f"{postcode}: {east:.0f},{north:.0f} is not a British National Grid point")
                    continue
                area = row[_CP_WARD].strip() if len(row) > _CP_WARD else ""
                rows.add(line, postcode, east, north, area)
        except csv.Error as exc:
            raise ImportFileError(f"{path}: line {reader.line_num}: {exc}") from exc
    lons, lats = _to_wgs84.transform(np.asarray(rows.xs, dtype=np.float64), np.asarray(rows.ys, dtype=np.float64))
    return ParsedPostcodes(rows.postcodes, np.asarray(lats), np.asarray(lons), rows.areas)


def _column(header: list[str], candidates: Sequence[str]) -> int | None:
    lowered = [name.strip().lower() for name in header]
    for candidate in candidates:
        if candidate in lowered:
            return lowered.index(candidate)
    return None


def parse_onspd(path: str | Path, report: ImportReport) -> ParsedPostcodes:
    source = Path(path).name
    rows = _Collector(report, source)
    with open_text(path) as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, [])
            postcode_col = _column(header, ONSPD_POSTCODE_COLUMNS)
            lat_col, lon_col = _column(header, ONSPD_LAT_COLUMNS), _column(header, ONSPD_LON_COLUMNS)
            if postcode_col is None or lat_col is None or lon_col is None:
                raise ImportFileError(
                    f"{path}: needs postcode (pcds), lat and long columns; the header has {', '.join(header)}"
                )
            area_col = _column(header, ONSPD_AREA_COLUMNS)
            terminated_col = _column(header, ONSPD_TERMINATED_COLUMNS)
            width = max(c for c in (postcode_col, lat_col, lon_col, area_col, terminated_col) if c is not None)
            for row in reader:
                line = reader.line_num
                if len(row) <= width:
                    if any(cell.strip() for cell in row):
                        rows.error(line, f"expected {len(header)} columns, found {len(row)}")
                    continue
                if terminated_col is not None and row[terminated_col].strip():
                    report.skipped += 1  # no longer in use: not an error in the file
                    continue
                postcode = row[postcode_col]
                try:
                    lat, lon = float(row[lat_col]), float(row[lon_col])
                except ValueError:
                    rows.error(line, f"{postcode}: no coordinates ({row[lat_col]!r},{row[lon_col]!r})")
                    continue
                if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > _ONSPD_NO_POSITION_LAT:
                    rows.error(line, f"{postcode}: no coordinates")
                    continue
                if abs(lon) > 180:
                    rows.error(line, f"{postcode}: {lat},{lon} is not a latitude,longitude")
                    continue
                rows.add(line, postcode, lon, lat, row[area_col].strip() if area_col is not None else "")
        except csv.Error as exc:
            raise ImportFileError(f"{path}: line {reader.line_num}: {exc}") from exc
    return ParsedPostcodes(
        rows.postcodes, np.asarray(rows.ys, dtype=np.float64), np.asarray(rows.xs, dtype=np.float64), rows.areas
    )


def _near_force(lons: np.ndarray, lats: np.ndarray, margin_km: float) -> np.ndarray:
    """Whether each point is within margin_km of the bounding box of all boundaries (all True if none)."""
    bounds = geo.boundary_index().total_bounds
    if bounds is None:
        return np.ones(len(lons), dtype=bool)
    min_lon, min_lat, max_lon, max_lat = bounds
    dlat = margin_km / 111.0
    dlon = margin_km / (111.0 * max(math.cos(math.radians(max(abs(min_lat), abs(max_lat)))), 0.01))
    return (lons >= min_lon - dlon) & (lons <= max_lon + dlon) & (lats >= min_lat - dlat) & (lats <= max_lat + dlat)


def _stored(postcodes: list[str]) -> dict[str, tuple[Any, ...]]:
    """What is stored for these postcodes, read as one range (files are sorted by postcode in practice)."""
    if not postcodes:
        return {}
    wanted = set(postcodes)
    rows = Postcode.objects.filter(postcode__gte=min(postcodes), postcode__lte=max(postcodes)).values_list(
        "postcode", "lat", "lon", "neighbourhood_id", "source_area"
    )
    return {row[0]: row[1:] for row in rows.iterator(chunk_size=20_000) if row[0] in wanted}


def save_postcodes(parsed: ParsedPostcodes, report: ImportReport, *, outside: Outside, margin_km: float) -> None:
    """Locate, filter, compare with what is stored, and write what is new or changed."""
    if not len(parsed):
        return
    found = geo.locate_many(parsed.lons, parsed.lats)
    keep = found > 0
    if outside == "keep":
        keep |= _near_force(parsed.lons, parsed.lats, margin_km)
    report.skipped += int((~keep).sum())
    indexes = np.flatnonzero(keep).tolist()
    postcodes, lats, lons, areas = parsed.postcodes, parsed.lats.tolist(), parsed.lons.tolist(), parsed.areas
    found_list = found.tolist()
    stored = _stored([postcodes[i] for i in indexes])
    writes: list[PostcodeRow] = []
    for i in indexes:
        row = (postcodes[i], lats[i], lons[i], found_list[i] or None, areas[i])
        before = stored.get(row[0])
        if before is None:
            report.created += 1
        elif before != row[1:]:
            report.updated += 1
        else:
            report.unchanged += 1
            continue
        writes.append(row)
    postcodes_upsert(rows=writes)


def import_postcodes(
    paths: Sequence[str | Path],
    *,
    format: Format | None = None,
    outside: Outside = "keep",
    margin_km: float = DEFAULT_OUTSIDE_MARGIN_KM,
    progress: bool = False,
    actor: StaffUser | None = None,
) -> ImportReport:
    """Import postcode files (Code-Point Open or ONSPD-style; detected per file unless `format` is given).

    outside="keep" keeps postcodes outside every boundary (neighbourhood NULL) when within `margin_km` of the
    force; "skip" keeps only postcodes inside a boundary.
    """
    files = postcode_files(paths)
    if not files:
        raise ImportFileError("No postcode files given")
    report = ImportReport()
    sizes = [f.stat().st_size if f.is_file() else 0 for f in files]
    if not len(geo.boundary_index()):
        report.notes.append("No neighbourhood boundaries yet: every postcode was kept without a neighbourhood")
    with progress_bar(enabled=progress, total=sum(sizes), desc="postcodes", unit="B") as bar:
        for path, size in zip(files, sizes, strict=True):
            bar.set_postfix_str(path.name)
            kind = format or detect_format(path)
            parsed = parse_codepoint(path, report) if kind == "codepoint" else parse_onspd(path, report)
            save_postcodes(parsed, report, outside=outside, margin_km=margin_km)
            bar.update(size)
    log_action("areas.postcodes.import", actor=actor, data={"files": [f.name for f in files][:50], **report.as_dict()})
    return report
