"""Import existing subscribers from another messaging system's CSV export.

manage.py import_subscribers neighbourhood-alert-export.csv --dry-run
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openbeat.areas.importers.report import ImportReport
from openbeat.areas.management.commands._importing import ImportCommand
from openbeat.subscriptions.importers import DEFAULT_INTEREST_SLUGS, Columns, import_subscribers


class Command(ImportCommand):
    help = (
        "Import existing subscribers (e.g. from Neighbourhood Alert) from a CSV with a header. They become active "
        "at once and are sent nothing; consent is carried over from the consent_date and consent_source columns. "
        "People already subscribed (same email, or same phone when a row has no email) are left as they are. "
        f"Rows with an empty interests column get the default interests: {', '.join(DEFAULT_INTEREST_SLUGS)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file", help="A UTF-8 CSV file (a BOM is fine) with a header row.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and count; write nothing.")
        parser.add_argument(
            "--consent-source",
            default="",
            help="Where consent was given (e.g. 'Neighbourhood Alert'), for rows whose consent_source is empty.",
        )
        for name in Columns.names():
            parser.add_argument(
                f"--{name.replace('_', '-')}-column",
                dest=f"{name}_column",
                default=getattr(Columns(), name),
                metavar="NAME",
                help=f"The column for {name.replace('_', ' ')} (default: %(default)s; any letter case).",
            )

    def run_import(self, *, progress: bool, **options: Any) -> ImportReport:
        columns = Columns(**{name: options[f"{name}_column"] for name in Columns.names()})
        return import_subscribers(
            options["file"],
            columns=columns,
            consent_source=options["consent_source"],
            dry_run=options["dry_run"],
            progress=progress,
        )
