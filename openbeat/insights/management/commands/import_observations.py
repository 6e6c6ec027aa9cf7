"""Import engagement figures from a canonical CSV or a platform's own export.

manage.py import_observations figures.csv
manage.py import_observations tweets.csv --format x_daily --account @LancsPolice --dry-run
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openbeat.areas.importers.report import ImportReport, progress_bar
from openbeat.areas.management.commands._importing import ImportCommand
from openbeat.insights.importers.base import FORMATS
from openbeat.insights.models import Account
from openbeat.insights.services import import_file


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
        if options["dry_run"]:
            report.notes.append("Dry run: nothing was written")
        return report
