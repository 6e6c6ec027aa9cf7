"""Open311 GeoReport v2 endpoints: thin wrappers over `reports.open311`, answering JSON (or XML).

The API is CSRF-exempt (clients are servers holding an api_key, not browsers with our cookies) and rate-limited
per client address. Every failure is an Open311 error list with a 4xx status, never an HTML page or a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from openbeat.core import ratelimit
from openbeat.reports import open311
from openbeat.reports.openapi import openapi_document

# Element names for the XML form of each list (GeoReport v2's XML examples).
XML_NAMES = {
    "services": ("services", "service"),
    "definition": ("service_definition", ""),
    "requests": ("service_requests", "request"),
    "created": ("service_requests", "request"),
    "errors": ("errors", "error"),
}


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    child = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(child, key, item)
    elif isinstance(value, list):
        singular = {"attributes": "attribute", "values": "value"}.get(tag, "item")
        for item in value:
            _xml_value(child, singular, item)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def _xml(kind: str, payload: Any) -> bytes:
    root_tag, item_tag = XML_NAMES[kind]
    root = ET.Element(root_tag)
    if isinstance(payload, dict):
        for key, value in payload.items():
            _xml_value(root, key, value)
    else:
        for item in payload:
            _xml_value(root, item_tag, item)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def respond(kind: str, payload: Any, fmt: str, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(kind, payload), status=status, content_type="application/xml; charset=utf-8")
    return HttpResponse(json.dumps(payload), status=status, content_type="application/json")


def error(code: int, description: str, fmt: str = "json") -> HttpResponse:
    return respond("errors", [{"code": code, "description": description}], fmt, status=code)


def _has_nul(request: HttpRequest, kwargs: dict[str, Any]) -> bool:
    values = [*kwargs.values()]
    for query in (request.GET, request.POST):
        for key, items in query.lists():
            values.append(key)
            values.extend(items)
    return any("\x00" in str(value) for value in values)


def api(method: str, limit: str) -> Callable[[Callable[..., tuple[str, Any, int]]], Callable[..., HttpResponse]]:
    """Method check, rate limit, and Open311Error -> error list; the view returns (kind, payload, status)."""

    def decorator(view: Callable[..., tuple[str, Any, int]]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @never_cache
        def wrapped(request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> HttpResponse:
            if request.method != method and not (method == "GET" and request.method == "HEAD"):
                response = error(405, f"Use {method} here.", fmt)
                response["Allow"] = method
                return response
            if _has_nul(request, kwargs):
                # PostgreSQL cannot store or compare text with NUL bytes: refuse it here, as bad input.
                return error(400, "Parameters cannot contain NUL characters.", fmt)
            allowed, period = open311.rate_limits()[limit]
            if not ratelimit.hit(key=f"open311-{limit}:{ratelimit._client(request)}", limit=allowed, period=period):
                response = error(429, "Too many requests; try again later.", fmt)
                response["Retry-After"] = str(period)
                return response
            try:
                kind, payload, status = view(request, *args, **kwargs)
            except open311.Open311Error as problem:
                return error(problem.code, problem.description, fmt)
            return respond(kind, payload, fmt, status)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


@api("GET", "read")
def services(request: HttpRequest) -> tuple[str, Any, int]:
    open311.jurisdiction_check(request.GET.get("jurisdiction_id"))
    return "services", open311.service_list(), 200


@api("GET", "read")
def service_definition(request: HttpRequest, code: str) -> tuple[str, Any, int]:
    open311.jurisdiction_check(request.GET.get("jurisdiction_id"))
    return "definition", open311.service_definition(open311.service_type(code)), 200


@api("GET", "read")
def request_list(request: HttpRequest) -> tuple[str, Any, int]:
    open311.jurisdiction_check(request.GET.get("jurisdiction_id"))
    return "requests", open311.requests_search(request.GET), 200


@api("POST", "write")
def request_create(request: HttpRequest) -> tuple[str, Any, int]:
    params = request.POST
    open311.jurisdiction_check(params.get("jurisdiction_id"))
    if open311.key_check(params.get("api_key") or "") is None:
        raise open311.Open311Error(403, "A valid api_key is required to submit requests.")
    report = open311.request_create(params=params)
    notice = "We have your report. Staff read every report; in an emergency call 999."
    return "created", [{"service_request_id": report.reference, "service_notice": notice, "account_id": None}], 201


@csrf_exempt
def requests_endpoint(request: HttpRequest, fmt: str = "json") -> HttpResponse:
    """`requests.{format}` takes GET (search) and POST (create) on one address, as the standard has it."""
    view = request_create if request.method == "POST" else request_list
    return view(request, fmt=fmt)


@api("GET", "read")
def request_detail(request: HttpRequest, service_request_id: str) -> tuple[str, Any, int]:
    open311.jurisdiction_check(request.GET.get("jurisdiction_id"))
    return "requests", open311.request_get(service_request_id), 200


@never_cache
def openapi_json(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps(openapi_document(), indent=1), content_type="application/json")


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error(404, "No such Open311 endpoint. See openapi.json.")
