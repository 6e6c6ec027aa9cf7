"""Which neighbourhood a postcode or a point is in.

manage.py locate "PR1 1AB"
manage.py locate 53.76,-2.70 --json
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openbeat.areas import geo
from openbeat.areas.postcodes import PostcodeError, postcode_locate

_POINT_RE = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


class Command(BaseCommand):
    help = "Print the neighbourhood (code, name, division) for a postcode or a 'lat,lon' point."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help='A postcode ("PR1 1AB") or a WGS84 point ("53.76,-2.70").')
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        query: str = options["query"]
        point = _POINT_RE.match(query)
        postcode = None
        if point:
            lat, lon = float(point.group(1)), float(point.group(2))
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise CommandError(f"{query!r} is not a latitude,longitude", returncode=1)
            neighbourhood = geo.locate(lat, lon)
            if neighbourhood is None:
                raise CommandError(f"{lat},{lon} is outside every neighbourhood boundary", returncode=1)
        else:
            try:
                location = postcode_locate(query)
            except PostcodeError as exc:
                raise CommandError(exc.message, returncode=1) from exc
            postcode, lat, lon, neighbourhood = location.postcode, location.lat, location.lon, location.neighbourhood
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "query": query,
                        "postcode": postcode,
                        "lat": lat,
                        "lon": lon,
                        "neighbourhood": {
                            "code": neighbourhood.code,
                            "name": neighbourhood.name,
                            "division": neighbourhood.division.name,
                        },
                    }
                )
            )
        else:
            self.stdout.write(f"{neighbourhood.code}\t{neighbourhood.name}\t{neighbourhood.division.name}")
