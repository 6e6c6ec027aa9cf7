"""The OpenAPI 3 document for the Open311 GeoReport v2 API, served at /open311/v2/openapi.json.

Written out by hand (not generated from the views) so that it is the contract the tests fuzz against: a view
that drifts from it fails `tests/test_openapi_fuzz.py`. JSON paths only; each also answers `.xml`.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

ERRORS: Schema = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
DISCOVERY: Schema = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string"},
        "contact": {"type": "string"},
        "key_service": {"type": "string"},
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"},
                    "url": {"type": "string"},
                    "changeset": {"type": "string"},
                    "type": {"type": "string", "enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}
NULLABLE_STRING: Schema = {"type": "string", "nullable": True}
NULLABLE_NUMBER: Schema = {"type": "number", "nullable": True}

SERVICE: Schema = {
    "type": "object",
    "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": {"type": "string"},
        "metadata": {"type": "boolean", "description": "true when the service has attributes (a definition)."},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": {"type": "string"},
        "group": {"type": "string"},
    },
}
ATTRIBUTE: Schema = {
    "type": "object",
    "required": ["variable", "code", "datatype", "required", "datatype_description", "order", "description"],
    "properties": {
        "variable": {"type": "boolean"},
        "code": {"type": "string"},
        "datatype": {
            "type": "string",
            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
        },
        "required": {"type": "boolean"},
        "datatype_description": {"type": "string"},
        "order": {"type": "integer"},
        "description": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
            },
        },
    },
}
DEFINITION: Schema = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {"service_code": {"type": "string"}, "attributes": {"type": "array", "items": ATTRIBUTE}},
}
REQUEST: Schema = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": {"type": "string", "description": "Written by staff for the public."},
        "service_name": {"type": "string"},
        "service_code": {"type": "string"},
        "description": {"type": "string", "description": "Always empty: the reporter's text is not published."},
        "agency_responsible": {"type": "string"},
        "service_notice": {"type": "string"},
        "requested_datetime": NULLABLE_STRING,
        "updated_datetime": NULLABLE_STRING,
        "expected_datetime": NULLABLE_STRING,
        "address": {"type": "string", "description": "The neighbourhood's name, not the reported address."},
        "address_id": {"type": "string"},
        "zipcode": {"type": "string"},
        "lat": {**NULLABLE_NUMBER, "description": "The neighbourhood's centre, not the reported point."},
        "long": NULLABLE_NUMBER,
        "media_url": {"type": "string"},
    },
}
CREATED: Schema = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id"],
        "properties": {
            "service_request_id": {"type": "string"},
            "service_notice": {"type": "string"},
            "account_id": NULLABLE_STRING,
        },
    },
}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR_TEXT: dict[int, str] = {
    400: "Bad request (a parameter that cannot be used, e.g. one containing NUL characters)",
    403: "Missing or wrong api_key",
    404: "Not found",
    405: "Method not allowed",
    429: "Too many requests from this client address; wait for Retry-After seconds",
}
RETRY_AFTER: Schema = {
    "Retry-After": {"description": "Seconds until the limit's window ends.", "schema": {"type": "integer"}}
}


# POST requests: the key is checked before anything is counted, and the limit is per key.
SUBMIT_ERROR_TEXT: dict[int, str] = {
    400: (
        "Bad request: a field that cannot be used (the description names it), or a place outside the force's "
        "area (lat/long outside its neighbourhoods, or a postcode in address_string outside it or unknown), "
        "when the description says where to report instead"
    ),
    403: "Missing, wrong or revoked api_key (not counted against any key's limit)",
    429: (
        "Too many submissions with this api_key (each key has its own limit), or too many with wrong keys from "
        "this client address; wait for Retry-After seconds"
    ),
}


def _errors(*codes: int, text: dict[int, str] | None = None) -> dict[str, Schema]:
    """Error responses for `codes`, each an Open311 error list; `text` words some of them for one operation."""
    responses = {}
    for code in codes:
        response = _json({"$ref": "#/components/schemas/Errors"}, (text or {}).get(code, ERROR_TEXT[code]))
        if code == 429:
            response["headers"] = RETRY_AFTER
        responses[str(code)] = response
    return responses


def _query(name: str, description: str, schema: Schema | None = None) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


JURISDICTION = _query("jurisdiction_id", "Optional: this endpoint serves one jurisdiction (the force's code).")


def openapi_document() -> dict[str, Any]:
    request_ref = {"$ref": "#/components/schemas/Request"}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "OpenBeat Open311 GeoReport v2",
            "version": "2.0",
            "description": (
                "Reports to the police, per wiki.open311.org/GeoReport_v2. Reading is public and shows public "
                "fields only; submitting needs an api_key. Statuses: new, triaged, assigned and awaiting "
                "reporter are `open`; closed is `closed`. Each path also answers with XML when `.json` is "
                "replaced by `.xml`."
            ),
        },
        "servers": [{"url": "/open311/v2"}],
        "paths": {
            "/discovery.json": {
                "get": {
                    "operationId": "discovery",
                    "summary": "Service discovery: the endpoint, its formats, and how to get an api_key",
                    "responses": {"200": _json(DISCOVERY, "OK"), **_errors(405, 429)},
                }
            },
            "/services.json": {
                "get": {
                    "operationId": "services",
                    "summary": "The types of report that can be made",
                    "parameters": [JURISDICTION],
                    "responses": {
                        "200": _json({"type": "array", "items": {"$ref": "#/components/schemas/Service"}}, "OK"),
                        **_errors(400, 404, 405, 429),
                    },
                }
            },
            "/services/{service_code}.json": {
                "get": {
                    "operationId": "service_definition",
                    "summary": "A service's attributes (its questions)",
                    "parameters": [
                        {"name": "service_code", "in": "path", "required": True, "schema": {"type": "string"}},
                        JURISDICTION,
                    ],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/ServiceDefinition"}, "OK"),
                        **_errors(400, 404, 405, 429),
                    },
                }
            },
            "/requests.json": {
                "get": {
                    "operationId": "requests",
                    "summary": "Search requests (default: the last 90 days, newest first, at most 1,000)",
                    "parameters": [
                        JURISDICTION,
                        _query("service_request_id", "Comma-separated references; other filters are then ignored."),
                        _query("service_code", "Comma-separated service codes."),
                        _query("start_date", "w3 date and time, e.g. 2026-11-24T09:30:00Z."),
                        _query("end_date", "w3 date and time."),
                        _query(
                            "status",
                            "open, closed, or a comma-separated list of them (open,closed: both).",
                            {"type": "string", "pattern": "^(open|closed)(,(open|closed))*$"},
                        ),
                    ],
                    "responses": {
                        "200": _json({"type": "array", "items": request_ref}, "OK"),
                        **_errors(400, 404, 405, 429),
                    },
                },
                "post": {
                    "operationId": "create_request",
                    "summary": "Submit a report",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/NewRequest"}}
                        },
                    },
                    "responses": {
                        "201": _json({"$ref": "#/components/schemas/Created"}, "Created"),
                        **_errors(400, 403, 404, 405, 429, text=SUBMIT_ERROR_TEXT),
                    },
                },
            },
            "/requests/{service_request_id}.json": {
                "get": {
                    "operationId": "request",
                    "summary": "One request (a list of one, as the standard has it)",
                    "parameters": [
                        {"name": "service_request_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        JURISDICTION,
                    ],
                    "responses": {
                        "200": _json({"type": "array", "items": request_ref}, "OK"),
                        **_errors(400, 404, 405, 429),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Errors": ERRORS,
                "Service": SERVICE,
                "ServiceDefinition": DEFINITION,
                "Request": REQUEST,
                "Created": CREATED,
                "NewRequest": {
                    "type": "object",
                    "required": ["api_key", "service_code"],
                    "properties": {
                        "api_key": {"type": "string"},
                        "jurisdiction_id": {"type": "string"},
                        "service_code": {"type": "string"},
                        "lat": {
                            "type": "string",
                            "description": "Decimal degrees (WGS84). A point outside the force's area is refused "
                            "(400).",
                        },
                        "long": {"type": "string"},
                        "address_string": {
                            "type": "string",
                            "description": "Used when lat/long are not given. A postcode (alone, or the last one "
                            "written in the text) routes the report; one outside the force's area, or an unknown "
                            "postcode given alone, is refused (400). Other text is kept for staff to read.",
                        },
                        "email": {"type": "string"},
                        "first_name": {"type": "string"},
                        "last_name": {"type": "string"},
                        "phone": {"type": "string"},
                        "description": {"type": "string"},
                    },
                    "additionalProperties": {
                        "type": "string",
                        "description": "attribute[<code>] = answer (repeat, or attribute[<code>][], for lists)",
                    },
                },
            }
        },
    }
