"""Import engagement figures from a canonical CSV or a platform's own export.

manage.py import_observations figures.csv
manage.py import_observations tweets.csv --format x_daily --account @LancsPolice --dry-run

Exit status: 0 when every line was imported (lines with no figure, "-" or empty, are listed but fine); 1 when
nothing could be imported; 2 when the file cannot be read; 3 when some lines were rejected (the good ones are
imported all the same) unless --allow-errors is given.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from openbeat.areas.importers.report import ImportReport, progress_bar
from openbeat.areas.management.commands._importing import ImportCommand
from openbeat.insights.importers.base import FORMATS
from openbeat.insights.models import Account
from openbeat.insights.services import import_file

EXIT_ROWS_REJECTED = 3
ERRORS_SHOWN = 5


class Command(ImportCommand):
    help = (
        "Import engagement figures. The canonical CSV is period,channel,account,group,metric,value[,dimension]; "
        "native exports (Meta, Instagram, X, Facebook legacy, GA4) are summed into monthly figures for one "
        "account. Importing the same file again changes nothing: figures are replaced, never added."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help="A CSV file (UTF-8, UTF-16 or Windows-1252; a BOM is fine).")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS], help="Default: detected.")
        parser.add_argument("--account", default="", help="The account a native export belongs to (created if new).")
        parser.add_argument(
            "--platform", default="", choices=["", *Account.Platform.values], help="The account's platform."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row and count; write nothing.")
        parser.add_argument(
            "--allow-errors",
            action="store_true",
            help=f"Exit 0 even when some lines are rejected (by default: exit {EXIT_ROWS_REJECTED}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.rejected: list[tuple[int, str]] = []
        super().handle(*args, **options)
        if self.rejected and not options["allow_errors"]:
            shown = "; ".join(
                f"line {line}: {reason}" if line else reason for line, reason in self.rejected[:ERRORS_SHOWN]
            )
            more = f"; and {len(self.rejected) - ERRORS_SHOWN} more" if len(self.rejected) > ERRORS_SHOWN else ""
            kept = "were checked (dry run)" if options["dry_run"] else "were imported"
            raise CommandError(
                f"{_lines(len(self.rejected))} rejected ({shown}{more}). The other lines {kept}; correct the file "
                "and import it again (nothing is counted twice), or pass --allow-errors to accept it as it is.",
                returncode=EXIT_ROWS_REJECTED,
            )

    def run_import(self, *, progress: bool, **options: Any) -> ImportReport:
        with progress_bar(enabled=progress, desc="figures", unit="rows") as bar:

            def advance(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            _, parsed, result = import_file(
                path=options["file"],
                format=options["format"],
                account_name=options["account"],
                platform=options["platform"],
                dry_run=options["dry_run"],
                progress=advance,
            )
        report = ImportReport(created=result.created, updated=result.updated, unchanged=result.unchanged)
        for line, reason in result.errors:  # the file's errors and the write's, in line order
            report.error(line if line else "file", reason)
        report.notes.extend(parsed.notes)
        self.rejected = [(line, reason) for line, reason in result.errors if line not in parsed.no_figure]
        done = "checked" if options["dry_run"] else "imported"
        report.notes.append(
            f"{_lines(parsed.lines)} read: {result.written} figures {done}, {_lines(len(self.rejected))} rejected, "
            f"{len(parsed.no_figure)} with no figure (left out, not taken as zero)"
        )
        if options["dry_run"]:
            report.notes.append("Dry run: nothing was written")
        return report


def _lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"
