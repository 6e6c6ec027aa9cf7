"""Import neighbourhood populations from a CSV (area code, population) or Census 2021 ward JSON."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openbeat.areas.importers.population import import_population
from openbeat.areas.importers.report import ImportReport
from openbeat.areas.management.commands._importing import ImportCommand


class Command(ImportCommand):
    help = "Set neighbourhood populations; codes match a neighbourhood's code or its boundary reference."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("files", nargs="+", help="CSV files, or census JSON (population/ward-census2021).")
        parser.add_argument("--code-column", default="", help="Default: the first of code, neighbourhood_id, ...")
        parser.add_argument("--population-column", default="", help="Default: population, or similar.")

    def run_import(self, *, progress: bool, **options: Any) -> ImportReport:
        return import_population(
            options["files"],
            code_column=options["code_column"],
            population_column=options["population_column"],
            progress=progress,
        )
