"""Opening the files importers read, turning every way a file can be unusable into ImportFileError."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from openbeat.areas.importers.report import ImportFileError


@contextmanager
def open_text(path: str | Path) -> Iterator[IO[str]]:
    """The file as text (UTF-8, a BOM ignored), or ImportFileError when it cannot be opened or decoded."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    try:
        yield handle
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path}: not a UTF-8 text file") from exc
    finally:
        handle.close()


def load_json(path: str | Path) -> Any:
    with open_text(path) as handle:
        try:
            return json.load(handle)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc


def first_line(path: str | Path) -> str:
    with open_text(path) as handle:
        return handle.readline()


def read_csv_dicts(path: str | Path, *, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each row of a CSV with a header; ImportFileError when a column is missing."""
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in required if column not in header]
        if missing:
            names = ", ".join(repr(c) for c in missing)
            raise ImportFileError(f"{path}: no column {names} (the header has {', '.join(header) or 'nothing'})")
        try:
            for row in reader:
                yield reader.line_num, {key: (value or "").strip() for key, value in row.items() if key is not None}
        except csv.Error as exc:
            raise ImportFileError(f"{path}: line {reader.line_num}: {exc}") from exc
