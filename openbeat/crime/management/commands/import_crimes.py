"""Import data.police.uk street-level crime CSVs.

manage.py import_crimes ../shared/data/lancashire/crime/2022-10-lancashire-street.csv

Exit status (as import_observations): 0 when every line was imported; 1 when nothing could be imported; 2 when a
file cannot be read; 3 when some lines were rejected (the good ones are imported all the same) unless
--allow-errors is given. Importing a file again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from openbeat.areas.importers.report import ImportReport
from openbeat.areas.management.commands._importing import ImportCommand
from openbeat.crime.importers.street import import_crimes

EXIT_ROWS_REJECTED = 3


class Command(ImportCommand):
    help = (
        "Import data.police.uk street-level crime CSVs, placing each crime in the neighbourhood its point falls "
        "in. Rows without a location are kept without a neighbourhood; rows outside every boundary are kept and "
        "marked outside the force. Importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("files", nargs="+", help="Street-level CSVs (<month>-<force>-street.csv).")
        parser.add_argument(
            "--allow-errors",
            action="store_true",
            help=f"Exit 0 even when some lines are rejected (by default: exit {EXIT_ROWS_REJECTED}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.rejected = 0
        super().handle(*args, **options)
        if self.rejected and not options["allow_errors"]:
            lines = "1 line was" if self.rejected == 1 else f"{self.rejected} lines were"
            raise CommandError(
                f"{lines} rejected (listed above). The other lines were imported; correct the file and import it "
                "again (nothing is counted twice), or pass --allow-errors to accept it as it is.",
                returncode=EXIT_ROWS_REJECTED,
            )

    def run_import(self, *, progress: bool, **options: Any) -> ImportReport:
        report = import_crimes(options["files"], progress=progress)
        self.rejected = report.rejected
        return report
