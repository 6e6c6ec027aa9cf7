"""The crime endpoints' part of the API's OpenAPI 3.1 document (openapi.py joins it to the rest).

Kept beside the crime views so a parameter added to an endpoint is described in the same change; the schemas
follow data.police.uk's documentation, which is what the schemathesis fuzz drives the endpoints with.
"""

from __future__ import annotations

from typing import Any

_MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "examples": ["2024-01"]}
_COORDINATE_TEXT = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}

_DATE_PARAM: dict[str, Any] = {
    "name": "date",
    "in": "query",
    "required": False,
    "description": "The month, YYYY-MM; the latest month when missing.",
    "schema": _MONTH,
}
_LAT_PARAM: dict[str, Any] = {
    "name": "lat",
    "in": "query",
    "required": False,
    "description": "Latitude of the centre of a one-mile radius (or with lng, of the nearest location).",
    "schema": {"type": "number", "minimum": -90, "maximum": 90},
}
_LNG_PARAM: dict[str, Any] = {
    "name": "lng",
    "in": "query",
    "required": False,
    "description": "Longitude of the centre.",
    "schema": {"type": "number", "minimum": -180, "maximum": 180},
}
_POLY_PARAM: dict[str, Any] = {
    "name": "poly",
    "in": "query",
    "required": False,
    "description": "A polygon: lat,lng pairs separated by colons; the first and last are joined.",
    "schema": {"type": "string", "pattern": r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?(:-?\d+(\.\d+)?,-?\d+(\.\d+)?)*$"},
}

_STREET = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "required": ["id", "name"],
}
_LOCATION = {
    "type": ["object", "null"],
    "properties": {"latitude": _COORDINATE_TEXT, "street": _STREET, "longitude": _COORDINATE_TEXT},
}
_OUTCOME_STATUS = {
    "type": ["object", "null"],
    "properties": {"category": {"type": "string"}, "date": _MONTH},
}
_CRIME: dict[str, Any] = {
    "type": "object",
    "properties": {
        "category": {"type": "string"},
        "location_type": {"type": ["string", "null"], "examples": ["Force"]},
        "location": _LOCATION,
        "context": {"type": "string"},
        "outcome_status": _OUTCOME_STATUS,
        "persistent_id": {"type": "string", "description": "64 hex characters; empty for anti-social behaviour."},
        "id": {"type": "integer", "description": "Not stable between months or services: use persistent_id."},
        "location_subtype": {"type": "string"},
        "month": _MONTH,
    },
}
_CRIMES = {"type": "array", "items": _CRIME}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_NOT_FOUND = {"description": "Unknown category, force, crime or location."}
_BAD_REQUEST = {"description": "A malformed date, coordinate or polygon."}
_TOO_MANY = {"description": "More than 10,000 crimes matched: narrow the area or the month."}

_STREET_GET: dict[str, Any] = {
    "summary": "Street-level crimes within a mile of a point, or inside a polygon",
    "parameters": [
        {"name": "category", "in": "path", "required": True, "schema": {"type": "string"}},
        _LAT_PARAM,
        _LNG_PARAM,
        _POLY_PARAM,
        _DATE_PARAM,
    ],
    "responses": {
        "200": _json("The crimes.", _CRIMES),
        "400": _BAD_REQUEST,
        "404": _NOT_FOUND,
        "503": _TOO_MANY,
    },
}

CRIME_PATHS: dict[str, Any] = {
    "/api/crime-categories": {
        "get": {
            "summary": "The crime categories for a month, all-crime first",
            "parameters": [_DATE_PARAM],
            "responses": {
                "200": _json(
                    "The categories.",
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"url": {"type": "string"}, "name": {"type": "string"}},
                        },
                    },
                ),
                "400": _BAD_REQUEST,
            },
        }
    },
    "/api/crimes-street-dates": {
        "get": {
            "summary": "The months with street-level crime, newest first, with stop-and-search availability",
            "responses": {
                "200": _json(
                    "The months.",
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "date": _MONTH,
                                "stop-and-search": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                )
            },
        }
    },
    "/api/crime-last-updated": {
        "get": {
            "summary": "When the crime data was last updated",
            "responses": {
                "200": _json(
                    "The date.",
                    {"type": "object", "properties": {"date": {"type": "string", "format": "date"}}},
                ),
                "404": {"description": "No crime data has been imported yet."},
            },
        }
    },
    "/api/crimes-street/{category}": {
        "get": _STREET_GET,
        "post": {
            "summary": "Street-level crimes inside a polygon too long for a GET (over 4,094 characters)",
            "parameters": [{"name": "category", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "poly": _POLY_PARAM["schema"],
                                "date": _MONTH,
                                "lat": _LAT_PARAM["schema"],
                                "lng": _LNG_PARAM["schema"],
                            },
                        }
                    }
                }
            },
            "responses": _STREET_GET["responses"],
        },
    },
    "/api/crimes-at-location": {
        "get": {
            "summary": "Crimes at the location nearest a point, or at a location id",
            "parameters": [
                _DATE_PARAM,
                _LAT_PARAM,
                _LNG_PARAM,
                {"name": "location_id", "in": "query", "required": False, "schema": {"type": "integer"}},
            ],
            "responses": {"200": _json("The crimes.", _CRIMES), "400": _BAD_REQUEST, "404": _NOT_FOUND},
        }
    },
    "/api/crimes-no-location": {
        "get": {
            "summary": "Crimes the force recorded without a location",
            "parameters": [
                {"name": "category", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "force", "in": "query", "required": True, "schema": {"type": "string"}},
                _DATE_PARAM,
            ],
            "responses": {
                "200": _json("The crimes.", _CRIMES),
                "400": _BAD_REQUEST,
                "404": _NOT_FOUND,
                "503": _TOO_MANY,
            },
        }
    },
    "/api/outcomes-for-crime/{persistent_id}": {
        "get": {
            "summary": "A crime and its outcomes",
            "parameters": [{"name": "persistent_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": _json(
                    "The crime and its outcomes.",
                    {
                        "type": "object",
                        "properties": {
                            "crime": _CRIME,
                            "outcomes": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "category": {
                                            "type": "object",
                                            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                                        },
                                        "date": _MONTH,
                                        "person_id": {"type": ["integer", "null"]},
                                    },
                                },
                            },
                        },
                    },
                ),
                "404": _NOT_FOUND,
            },
        }
    },
}
