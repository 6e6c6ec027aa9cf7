"""Import postcode points: OS Code-Point Open CSVs (or folders of them) or ONSPD-style CSVs.

manage.py import_postcodes ../shared/data/lancashire/postcodes-codepoint/
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openbeat.areas.importers.postcodes import DEFAULT_OUTSIDE_MARGIN_KM, import_postcodes
from openbeat.areas.importers.report import ImportReport
from openbeat.areas.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Import postcodes and assign each the neighbourhood its point falls in."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("files", nargs="+", help="CSV files, or folders of them.")
        parser.add_argument(
            "--format", choices=["codepoint", "onspd"], help="Default: detected per file (a header means onspd)."
        )
        parser.add_argument(
            "--outside",
            choices=["keep", "skip"],
            default="keep",
            help="Postcodes outside every boundary: keep those near the force (default; a search then says "
            "'outside the area') or skip them all.",
        )
        parser.add_argument(
            "--outside-margin-km",
            type=float,
            default=DEFAULT_OUTSIDE_MARGIN_KM,
            help="With --outside keep: how far beyond the boundaries' bounding box (default %(default)s).",
        )

    def run_import(self, *, progress: bool, **options: Any) -> ImportReport:
        return import_postcodes(
            options["files"],
            format=options["format"],
            outside=options["outside"],
            margin_km=options["outside_margin_km"],
            progress=progress,
        )
