"""Import neighbourhood boundaries: GeoJSON (optionally with a mapping CSV) or one data.police.uk boundary.

  manage.py import_boundaries ../shared/data/lancashire/boundaries/*_wards.geojson \\
      --mapping ../shared/data/lancashire/neighbourhoods.csv
  manage.py import_boundaries boundary.json --neighbourhood PR11 --division South
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openbeat.areas.importers.boundaries import MappingColumns, import_geojson_boundaries, import_police_boundary
from openbeat.areas.importers.report import ImportFileError, ImportReport
from openbeat.areas.management.commands._importing import ImportCommand

DEFAULTS = MappingColumns()


class Command(ImportCommand):
    help = "Import neighbourhood boundaries (GeoJSON FeatureCollections or a data.police.uk boundary)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("files", nargs="+", help="GeoJSON FeatureCollection files, or one police boundary JSON.")
        parser.add_argument("--id-property", default="ons_code", help="Feature property with its id (ons_code).")
        parser.add_argument("--name-property", default="name", help="Feature property with the name (no mapping).")
        parser.add_argument("--division", default="", help="Division for every feature (or for a new neighbourhood).")
        parser.add_argument("--division-property", default="", help="Feature property naming its division.")
        mapping = parser.add_argument_group("mapping CSV: one row per neighbourhood, naming its boundary feature")
        mapping.add_argument("--mapping", help="CSV joining neighbourhoods to boundary features.")
        mapping.add_argument("--code-column", default=DEFAULTS.code)
        mapping.add_argument("--name-column", default=DEFAULTS.name)
        mapping.add_argument("--division-column", default=DEFAULTS.division)
        mapping.add_argument("--feature-column", default=DEFAULTS.feature, help="The feature's id (--id-property).")
        mapping.add_argument("--population-column", default=DEFAULTS.population, help="Optional.")
        police = parser.add_argument_group("data.police.uk boundary (a JSON list of latitude/longitude points)")
        police.add_argument("--neighbourhood", help="The neighbourhood code the boundary belongs to.")
        police.add_argument("--name", default="", help="Its name (when creating it; default: keep or the code).")

    def run_import(self, *, progress: bool, **options: Any) -> ImportReport:
        if options["neighbourhood"]:
            if len(options["files"]) != 1:
                raise ImportFileError("A data.police.uk boundary is one file for one neighbourhood")
            return import_police_boundary(
                options["files"][0],
                code=options["neighbourhood"],
                name=options["name"],
                division=options["division"],
                progress=progress,
            )
        return import_geojson_boundaries(
            options["files"],
            id_property=options["id_property"],
            name_property=options["name_property"],
            mapping=options["mapping"],
            columns=MappingColumns(
                code=options["code_column"],
                name=options["name_column"],
                division=options["division_column"],
                feature=options["feature_column"],
                population=options["population_column"],
            ),
            division=options["division"],
            division_property=options["division_property"],
            progress=progress,
        )
