"""What every import command shares: --no-progress, the errors and summary printed, and the exit code."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openbeat.areas.importers.report import ImportFileError, ImportReport

EXIT_NOTHING_IMPORTED = 1
EXIT_UNREADABLE = 2


class ImportCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (none anyway without a TTY).")

    def run_import(self, *, progress: bool, **options: Any) -> ImportReport:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = self.run_import(progress=not options["no_progress"], **options)
        except ImportFileError as exc:
            raise CommandError(str(exc), returncode=EXIT_UNREADABLE) from exc
        for error in report.errors:
            self.stderr.write(error)
        if report.error_count > len(report.errors):
            self.stderr.write(f"... and {report.error_count - len(report.errors)} more errors")
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write(report.summary())
        if not report.ok:
            raise CommandError("Nothing could be imported", returncode=EXIT_NOTHING_IMPORTED)
