"""Reads for the force and neighbourhood endpoints, in data.police.uk's shapes and key order.

Shapes follow the recordings in ../shared/data/police-api-fixtures (police-data-kit's, captured from the live API,
where the two sets differ). What data.police.uk does that OpenBeat copies on purpose:
- numbers as strings (population, coordinates), HTML entities in names ("Ingol &amp; Cottam"; OpenBeat keeps
  names unescaped and escapes them here), null for a missing description, bio, rank or action;
- `forces/{force}/people` lists the force's chief officers. OpenBeat marks no one senior by hand: an officer
  profile is senior when its rank is a chief officer's (`SENIOR_RANK`: Chief Constable, Deputy and Assistant
  Chief Constable, Assistant Chief Officer, Commissioner ranks, with Temporary/Acting before them).
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import MultiPolygon, Polygon, shape

from openbeat.areas import geo
from openbeat.areas.models import Neighbourhood, Station
from openbeat.areas.selectors import neighbourhood_stations
from openbeat.core.models import Force
from openbeat.core.pagecache import per_generation
from openbeat.events.models import Event
from openbeat.events.selectors import for_neighbourhood, public_events, upcoming
from openbeat.priorities.selectors import priorities_police_api
from openbeat.staff.models import Officer
from openbeat.staff.selectors import neighbourhood_team

SENIOR_RANK = re.compile(
    r"^\s*(?:(?:temporary|acting|t/|a/)\s*)?(?:(?:deputy|assistant)\s+)?(?:chief\s+constable|chief\s+officer"
    r"|commissioner)\b",
    re.IGNORECASE,
)

# data.police.uk's event types; OpenBeat's kinds map onto them.
EVENT_TYPES: dict[str, str] = {
    Event.Kind.PACT: "meeting",
    Event.Kind.SURGERY: "surgery",
    Event.Kind.STALL: "stall",
    Event.Kind.PREVENTION: "meeting",
    Event.Kind.FORCE: "other",
}


def _name(value: str) -> str:
    return html.escape(value, quote=False)


def _coordinate(value: float | None) -> str | None:
    return None if value is None else str(round(value, 10))


def _text(value: str) -> str | None:
    return value or None


def _local(value: datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%dT%H:%M:%S}"


# ------------------------------------------------------------------------------------------------ forces


def force_for(code: str) -> Force | None:
    """The force this deployment serves, if `code` is its id (data.police.uk's, e.g. "lancashire")."""
    force = per_generation("opendata:force", Force.current)
    return force if force.code == code else None


def forces() -> list[dict[str, Any]]:
    force = per_generation("opendata:force", Force.current)
    return [{"id": force.code, "name": force.name}]


def _engagement_methods(force: Force) -> list[dict[str, Any]]:
    methods: list[dict[str, Any]] = []
    if force.website:
        methods.append({"title": "Website", "url": force.website, "description": f"{force.name}'s website"})
    for method in settings.OPENDATA_ENGAGEMENT_METHODS:
        methods.append(
            {
                "title": str(method.get("title", "")),
                "url": str(method.get("url", "")),
                "description": method.get("description"),
            }
        )
    if force.phone_non_emergency:
        methods.append({"title": "telephone", "url": "", "description": force.phone_non_emergency})
    return methods


def force_document(force: Force) -> dict[str, Any]:
    return {
        "description": settings.OPENDATA_FORCE_DESCRIPTION or None,
        "url": force.website,
        "engagement_methods": _engagement_methods(force),
        "telephone": force.phone_non_emergency,
        "id": force.code,
        "name": force.name,
    }


def _contact_details(*, email: str = "", telephone: str = "") -> dict[str, str]:
    details = {}
    if email:
        details["email"] = email
    if telephone:
        details["telephone"] = telephone
    return details


def _person(officer: Officer) -> dict[str, Any]:
    return {
        "bio": _text(officer.bio),
        "contact_details": _contact_details(email=officer.email, telephone=officer.phone),
        "name": officer.name,
        "rank": _text(officer.rank),
    }


def senior_officers() -> list[dict[str, Any]]:
    """The force's chief officers (see SENIOR_RANK), in name order."""
    return [_person(o) for o in Officer.objects.filter(public=True).order_by("name") if SENIOR_RANK.match(o.rank)]


# ----------------------------------------------------------------------------------------- neighbourhoods


def neighbourhood_for(code: str) -> Neighbourhood | None:
    return Neighbourhood.objects.select_related("division").filter(code=code).first()


def neighbourhoods() -> list[dict[str, str]]:
    return [{"id": code, "name": _name(name)} for code, name in Neighbourhood.objects.values_list("code", "name")]


def _location(station: Station) -> dict[str, Any]:
    return {
        "name": station.name,
        "longitude": _coordinate(station.lon),
        "postcode": station.postcode,
        "address": station.address,
        "latitude": _coordinate(station.lat),
        "type": "station",
        "description": None,
    }


def neighbourhood_document(neighbourhood: Neighbourhood, *, base_url: str) -> dict[str, Any]:
    """`{force}/{neighbourhood}`. `base_url` ("https://host") makes the site's addresses absolute."""
    force = per_generation("opendata:force", Force.current)
    feed = reverse("events:neighbourhood_feed", kwargs={"code": neighbourhood.code})
    centre = None
    if neighbourhood.centroid_lat is not None:
        centre = {
            "latitude": _coordinate(neighbourhood.centroid_lat),
            "longitude": _coordinate(neighbourhood.centroid_lon),
        }
    return {
        "url_force": base_url + neighbourhood.get_absolute_url(),
        "contact_details": _contact_details(telephone=force.phone_non_emergency),
        "name": _name(neighbourhood.name),
        "links": [
            {
                "url": base_url + feed,
                "description": "The neighbourhood's events, to add to a calendar (iCalendar).",
                "title": "Events calendar",
            }
        ],
        "centre": centre,
        "locations": [_location(s) for s in neighbourhood_stations(neighbourhood)],
        "description": _text(neighbourhood.description),
        "id": neighbourhood.code,
        "population": str(neighbourhood.population or 0),
    }


def _largest_polygon(geometry: Any) -> Polygon | None:
    if isinstance(geometry, Polygon):
        return geometry
    if isinstance(geometry, MultiPolygon) and not geometry.is_empty:
        return max(geometry.geoms, key=lambda polygon: polygon.area)
    return None


def boundary(neighbourhood: Neighbourhood) -> list[dict[str, str]]:
    """The boundary's outer ring as data.police.uk's latitude/longitude strings (the largest part of a
    multi-part boundary: clients pass this list back as a `poly`, which is one ring)."""
    if not neighbourhood.boundary:
        return []
    polygon = _largest_polygon(shape(neighbourhood.boundary))
    if polygon is None:
        return []
    return [{"latitude": str(round(lat, 10)), "longitude": str(round(lon, 10))} for lon, lat in polygon.exterior.coords]


def team(neighbourhood: Neighbourhood) -> list[dict[str, Any]]:
    return [_person(membership.officer) for membership in neighbourhood_team(neighbourhood)]


def _event(event: Event) -> dict[str, Any]:
    address = event.address if event.in_person or not event.online else "Online"
    return {
        "contact_details": _contact_details(email=event.contact_email, telephone=event.contact_phone),
        "description": _text(event.description),
        "title": event.title,
        "address": address,
        "type": EVENT_TYPES.get(event.kind, "other"),
        "start_date": _local(event.starts_at),
        "end_date": _local(event.ends_at),
    }


def events(neighbourhood: Neighbourhood) -> list[dict[str, Any]]:
    """The neighbourhood's upcoming events (its own, its division's, the force's), cancelled ones left out."""
    queryset = upcoming(for_neighbourhood(public_events(), neighbourhood)).filter(state=Event.State.PUBLISHED)
    return [_event(e) for e in queryset]


# data.police.uk's key order for a priority (police-data-kit's live recordings).
PRIORITY_KEYS = ("action", "issue-date", "action-date", "issue")


def priorities(neighbourhood: Neighbourhood) -> list[dict[str, str | None]]:
    return [{key: p[key] for key in PRIORITY_KEYS} for p in priorities_police_api(neighbourhood)]


# --------------------------------------------------------------------------------------------------- locate


def _codes() -> dict[int, str]:
    return dict(Neighbourhood.objects.values_list("pk", "code"))


def locate_neighbourhood(lat: float, lng: float) -> dict[str, str] | None:
    """{"force", "neighbourhood"} for the point, None outside every boundary. No query once warm: the locate
    index is in memory, and the codes are kept until public data changes."""
    pk = geo.locate_pk(lat, lng)
    if pk is None:
        return None
    code = per_generation("opendata:neighbourhood-codes", _codes).get(pk)
    if code is None:
        return None
    force = per_generation("opendata:force", Force.current)
    return {"force": force.code, "neighbourhood": code}
