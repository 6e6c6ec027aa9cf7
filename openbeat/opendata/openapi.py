"""The API's OpenAPI 3.1 document (served at /api/openapi.json): the force and neighbourhood paths here, the crime
paths from openapi_crime.py. The schemathesis fuzz (tests/test_fuzz.py) drives every endpoint from it, and the
human page (/api/) shows each path's example request and response from it.

Schemas say what OpenBeat sends, which is data.police.uk's shape: numbers as strings, nulls where it has nulls.
Refusals are data.police.uk's too: a text/html body ("Not Found" for a 404, empty for a 400 or 503).
"""

from __future__ import annotations

import copy
from typing import Any

from openbeat.opendata.openapi_crime import CRIME_PATHS

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_COORDINATE = {"type": "string", "pattern": r"^-?\d+(\.\d+)?(e-?\d+)?$"}
_NULLABLE_COORDINATE = {"type": ["string", "null"], "pattern": r"^-?\d+(\.\d+)?(e-?\d+)?$"}
# Path segments as a client would send them; anything else reaches another route or none (both answered).
_ID = {"type": "string", "pattern": r"^[A-Za-z0-9-]{1,40}$"}

_CONTACT_DETAILS = {
    "type": "object",
    "description": "Whichever of email, telephone, mobile, fax, web, address, facebook, twitter... are known.",
    "additionalProperties": {"type": "string"},
}
_REFERENCE = {
    "type": "object",
    "properties": {"id": _STRING, "name": _STRING},
    "required": ["id", "name"],
}
_PERSON = {
    "type": "object",
    "properties": {
        "bio": _NULLABLE_STRING,
        "contact_details": _CONTACT_DETAILS,
        "name": _STRING,
        "rank": _NULLABLE_STRING,
    },
    "required": ["bio", "contact_details", "name", "rank"],
}
_ENGAGEMENT = {
    "type": "object",
    "properties": {"title": _STRING, "url": _STRING, "description": _NULLABLE_STRING},
    "required": ["title", "url", "description"],
}
_FORCE = {
    "type": "object",
    "properties": {
        "description": _NULLABLE_STRING,
        "url": _STRING,
        "engagement_methods": {"type": "array", "items": _ENGAGEMENT},
        "telephone": _STRING,
        "id": _STRING,
        "name": _STRING,
    },
    "required": ["description", "url", "engagement_methods", "telephone", "id", "name"],
}
_POINT = {
    "type": "object",
    "properties": {"latitude": _COORDINATE, "longitude": _COORDINATE},
    "required": ["latitude", "longitude"],
}
_LOCATION = {
    "type": "object",
    "properties": {
        "name": _STRING,
        "longitude": _NULLABLE_COORDINATE,
        "postcode": _STRING,
        "address": _STRING,
        "latitude": _NULLABLE_COORDINATE,
        "type": _NULLABLE_STRING,
        "description": _NULLABLE_STRING,
    },
    "required": ["name", "longitude", "postcode", "address", "latitude", "type", "description"],
}
_NEIGHBOURHOOD = {
    "type": "object",
    "properties": {
        "url_force": _STRING,
        "contact_details": _CONTACT_DETAILS,
        "name": _STRING,
        "links": {"type": "array", "items": _ENGAGEMENT},
        "centre": {"oneOf": [_POINT, {"type": "null"}]},
        "locations": {"type": "array", "items": _LOCATION},
        "description": _NULLABLE_STRING,
        "id": _STRING,
        "population": {"type": "string", "pattern": r"^\d+$"},
    },
    "required": [
        "url_force",
        "contact_details",
        "name",
        "links",
        "centre",
        "locations",
        "description",
        "id",
        "population",
    ],
}
_EVENT = {
    "type": "object",
    "properties": {
        "contact_details": _CONTACT_DETAILS,
        "description": _NULLABLE_STRING,
        "title": _STRING,
        "address": _STRING,
        "type": _STRING,
        "start_date": _STRING,
        "end_date": _STRING,
    },
    "required": ["contact_details", "description", "title", "address", "type", "start_date", "end_date"],
}
_PRIORITY = {
    "type": "object",
    "properties": {
        "action": _NULLABLE_STRING,
        "issue-date": _STRING,
        "action-date": _NULLABLE_STRING,
        "issue": _STRING,
    },
    "required": ["action", "issue-date", "action-date", "issue"],
}
_LOCATED = {
    "type": "object",
    "properties": {"force": _STRING, "neighbourhood": _STRING},
    "required": ["force", "neighbourhood"],
}

_HTML = {"text/html": {"schema": {"type": "string"}}}
NOT_FOUND = {"description": "Unknown force or neighbourhood (body: Not Found).", "content": _HTML}
BAD_REQUEST = {"description": "A malformed parameter (no body).", "content": _HTML}
TOO_MANY = {
    "description": "Over the rate limit: 15 requests a second, bursts of 30. See Retry-After.",
    "content": _HTML,
}

_FORCE_PARAM = {"name": "force", "in": "path", "required": True, "description": "The force's id.", "schema": _ID}
_NEIGHBOURHOOD_PARAM = {
    "name": "neighbourhood",
    "in": "path",
    "required": True,
    "description": "The neighbourhood's id, as the force publishes it.",
    "schema": _ID,
}


def _ok(description: str, schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema, "example": example}}}


def _get(summary: str, ok: dict[str, Any], parameters: list[dict[str, Any]], *, found: bool = True) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok, "429": TOO_MANY}
    if found:
        responses["404"] = NOT_FOUND
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


_PERSON_EXAMPLE = {
    "bio": "Sam has worked in Ingol for six years.",
    "contact_details": {"email": "sam.patel@police.example"},
    "name": "Sam Patel",
    "rank": "PC",
}
_NEIGHBOURHOOD_PARAMS = [_FORCE_PARAM, _NEIGHBOURHOOD_PARAM]

FORCE_PATHS: dict[str, Any] = {
    "/api/forces": _get(
        "The forces: this deployment serves one",
        _ok(
            "The forces.",
            {"type": "array", "items": _REFERENCE},
            [{"id": "lancashire", "name": "Lancashire Constabulary"}],
        ),
        [],
        found=False,
    ),
    "/api/forces/{force}": _get(
        "A force: its description, website, telephone and ways to engage",
        _ok(
            "The force.",
            _FORCE,
            {
                "description": "<p>Policing Lancashire.</p>",
                "url": "https://www.lancashire.police.uk/",
                "engagement_methods": [{"title": "telephone", "url": "", "description": "101"}],
                "telephone": "101",
                "id": "lancashire",
                "name": "Lancashire Constabulary",
            },
        ),
        [_FORCE_PARAM],
    ),
    "/api/forces/{force}/people": _get(
        "The force's chief officers",
        _ok(
            "The senior officers.",
            {"type": "array", "items": _PERSON},
            [{"bio": None, "contact_details": {}, "name": "Chris Grant", "rank": "Chief Constable"}],
        ),
        [_FORCE_PARAM],
    ),
    "/api/{force}/neighbourhoods": _get(
        "The force's neighbourhoods (names keep data.police.uk's HTML entities)",
        _ok(
            "The neighbourhoods.",
            {"type": "array", "items": _REFERENCE},
            [{"id": "PR11", "name": "Ingol &amp; Cottam"}],
        ),
        [_FORCE_PARAM],
    ),
    "/api/{force}/{neighbourhood}": _get(
        "A neighbourhood: its page, contact details, centre, stations, description and population",
        _ok(
            "The neighbourhood.",
            _NEIGHBOURHOOD,
            {
                "url_force": "https://openbeat.example/neighbourhoods/PR11/",
                "contact_details": {"telephone": "101"},
                "name": "Ingol &amp; Cottam",
                "links": [
                    {
                        "url": "https://openbeat.example/events/neighbourhood/PR11/calendar.ics",
                        "description": "The neighbourhood's events, to add to a calendar (iCalendar).",
                        "title": "Events calendar",
                    }
                ],
                "centre": {"latitude": "53.785", "longitude": "-2.725"},
                "locations": [
                    {
                        "name": "Preston Police Station",
                        "longitude": "-2.7",
                        "postcode": "PR1 2AA",
                        "address": "Lancaster Road, Preston",
                        "latitude": "53.76",
                        "type": "station",
                        "description": None,
                    }
                ],
                "description": "<p>North-west Preston.</p>",
                "id": "PR11",
                "population": "8669",
            },
        ),
        _NEIGHBOURHOOD_PARAMS,
    ),
    "/api/{force}/{neighbourhood}/boundary": _get(
        "The neighbourhood's boundary: its outer ring, as latitude/longitude strings",
        _ok(
            "The boundary's points.",
            {"type": "array", "items": _POINT},
            [{"latitude": "53.78", "longitude": "-2.73"}, {"latitude": "53.78", "longitude": "-2.72"}],
        ),
        _NEIGHBOURHOOD_PARAMS,
    ),
    "/api/{force}/{neighbourhood}/people": _get(
        "The neighbourhood's team",
        _ok("The team.", {"type": "array", "items": _PERSON}, [_PERSON_EXAMPLE]),
        _NEIGHBOURHOOD_PARAMS,
    ),
    "/api/{force}/{neighbourhood}/events": _get(
        "The neighbourhood's upcoming events (its own, its division's and the force's)",
        _ok(
            "The events.",
            {"type": "array", "items": _EVENT},
            [
                {
                    "contact_details": {"telephone": "101"},
                    "description": "Tell us what matters to you.",
                    "title": "PACT meeting",
                    "address": "Ingol Library",
                    "type": "meeting",
                    "start_date": "2026-12-14T19:00:00",
                    "end_date": "2026-12-14T20:30:00",
                }
            ],
        ),
        _NEIGHBOURHOOD_PARAMS,
    ),
    "/api/{force}/{neighbourhood}/priorities": _get(
        "The neighbourhood's priorities: the issue, and what was done",
        _ok(
            "The priorities, newest first.",
            {"type": "array", "items": _PRIORITY},
            [
                {
                    "action": None,
                    "issue-date": "2026-01-10T00:00:00",
                    "action-date": None,
                    "issue": "Speeding on Tag Lane",
                },
            ],
        ),
        _NEIGHBOURHOOD_PARAMS,
    ),
    "/api/locate-neighbourhood": {
        "get": {
            "summary": "The force and neighbourhood for a point",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "description": "latitude,longitude",
                    "schema": {"type": "string"},
                    "example": "53.785,-2.725",
                }
            ],
            "responses": {
                "200": _ok("Where the point is.", _LOCATED, {"force": "lancashire", "neighbourhood": "PR11"}),
                "400": BAD_REQUEST,
                "404": {"description": "The point is outside the force (body: Not Found).", "content": _HTML},
                "429": TOO_MANY,
            },
        }
    },
}


def _with_rate_limit(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation may be refused by the rate limit, the crime ones included (on a copy: the modules' own
    dicts are shared between their paths)."""
    paths = copy.deepcopy(paths)
    for operations in paths.values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("429", TOO_MANY)
    return paths


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Open data API (data.police.uk-compatible)",
            "version": "1.0.0",
            "description": (
                "The force's own data in data.police.uk's API: the same paths, parameters, JSON and errors, so a "
                "client of data.police.uk works by changing only its base URL. Rate limit: 15 requests a second "
                "per client, bursts of 30."
            ),
            "license": {
                "name": "Open Government Licence v3.0",
                "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            },
        },
        "servers": [{"url": "/"}],
        "paths": _with_rate_limit({**FORCE_PATHS, **CRIME_PATHS}),
    }
