"""Import a file of Citizens in Policing counts (CSV or XLSX): every good line is saved, every bad one is printed
with its line number, and the command exits 1 when any line was bad (2 when the file cannot be read at all)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openbeat.areas.importers.report import progress_bar
from openbeat.volunteers import importers
from openbeat.volunteers.models import ImportBatch
from openbeat.volunteers.services import counts_import

EXIT_BAD_ROWS = 1
EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = "Import monthly volunteer counts: division, month (YYYY-MM), role, headcount, joiners, leavers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (none anyway without a TTY).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=EXIT_UNREADABLE) from exc

        def progress(rows: Iterable[Any]) -> Iterable[Any]:
            rows = list(rows)
            bar = progress_bar(enabled=not options["no_progress"], total=len(rows), desc="Saving", unit="rows")
            for row in rows:
                yield row
                bar.update(1)
            bar.close()

        try:
            batch = counts_import(data=data, file_name=path.name, user=None, via=ImportBatch.Via.COMMAND,
                                  progress=progress)  # fmt: skip
        except importers.CountsFileError as exc:
            raise CommandError(str(exc), returncode=EXIT_UNREADABLE) from exc
        for error in batch.errors:
            self.stderr.write(f"line {error['line']}: {error['message']}")
        self.stdout.write(f"{batch.rows_ok} lines imported, {batch.rows_bad} with errors")
        if batch.rows_bad:
            raise CommandError(f"{batch.rows_bad} lines could not be imported", returncode=EXIT_BAD_ROWS)
