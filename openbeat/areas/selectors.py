"""Reads of the geography for public pages: GeoJSON for maps, a neighbourhood's stations.

A neighbourhood's team is staff's (staff.selectors.neighbourhood_team), shown on the page as a section that staff
registers (areas.sections)."""

from __future__ import annotations

from typing import Any

import shapely
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from shapely.geometry import mapping, shape

from openbeat.areas.models import Neighbourhood, Station

# Enough for a force-wide map (~1 m at UK latitudes is 0.00001 deg); keeps the collection small.
_SIMPLIFY_DEGREES = 0.0005
_ROUND_DP = 5


def neighbourhood_feature(neighbourhood: Neighbourhood, *, simplify: bool = False) -> dict[str, Any]:
    geometry = None
    if neighbourhood.boundary:
        geom = shape(neighbourhood.boundary)
        if simplify:
            geom = geom.simplify(_SIMPLIFY_DEGREES, preserve_topology=True)
        geometry = mapping(shapely.set_precision(geom, 10**-_ROUND_DP) if simplify else geom)
    return {
        "type": "Feature",
        "id": neighbourhood.code,
        "geometry": geometry,
        "properties": {
            "code": neighbourhood.code,
            "name": neighbourhood.name,
            "division": neighbourhood.division.name,
            "url": neighbourhood.get_absolute_url(),
        },
    }


def neighbourhoods_feature_collection() -> dict[str, Any]:
    """Every neighbourhood, simplified; cached until any neighbourhood changes."""
    # Any edit (shape, name, division) changes the latest updated_at; a deletion changes the count.
    state = Neighbourhood.objects.aggregate(latest=Max("updated_at"), count=Count("pk"))
    stamp = state["latest"].timestamp() if state["latest"] else 0
    key = f"areas:neighbourhoods.geojson:{stamp}:{state['count']}"
    collection = cache.get(key)
    if collection is None:
        features = [
            neighbourhood_feature(n, simplify=True)
            for n in Neighbourhood.objects.select_related("division").filter(boundary__isnull=False).order_by("code")
        ]
        collection = {"type": "FeatureCollection", "features": features}
        cache.set(key, collection, 24 * 3600)
    return collection


def neighbourhoods_by_division() -> dict[Any, list[Neighbourhood]]:
    grouped: dict[Any, list[Neighbourhood]] = {}
    for n in Neighbourhood.objects.select_related("division").order_by("division__name", "name"):
        grouped.setdefault(n.division, []).append(n)
    return grouped


def neighbourhood_stations(neighbourhood: Neighbourhood) -> QuerySet[Station]:
    """Stations in the neighbourhood, or else the division's front counters (someone still needs one)."""
    stations = Station.objects.filter(neighbourhood=neighbourhood)
    if stations.exists():
        return stations
    return Station.objects.filter(division=neighbourhood.division, front_counter=True)
