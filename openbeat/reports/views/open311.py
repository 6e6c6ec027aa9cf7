"""Open311 GeoReport v2 endpoints: thin wrappers over `reports.open311`, answering JSON (or XML).

The API is CSRF-exempt (clients are servers holding an api_key, not browsers with our cookies). Reads are
rate-limited per client address; submissions per api_key, counted only once the key is checked, so one
partner cannot use up another's limit and a wrong key uses up nobody's (wrong keys have a generous limit of
their own per client address, against guessing). Every failure is an Open311 error list with a 4xx status,
never an HTML page or a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from openbeat.core import ratelimit
from openbeat.core.paths import absolute_url
from openbeat.reports import open311
from openbeat.reports.models import Open311Key
from openbeat.reports.openapi import openapi_document

# Element names for the XML form of each list (GeoReport v2's XML examples).
XML_NAMES = {
    "services": ("services", "service"),
    "definition": ("service_definition", ""),
    "requests": ("service_requests", "request"),
    "created": ("service_requests", "request"),
    "errors": ("errors", "error"),
    "discovery": ("discovery", ""),
}


def _xml_value(parent: ET.Element, tag: str, value: Any) -> None:
    child = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_value(child, key, item)
    elif isinstance(value, list):
        singular = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}.get(
            tag, "item"
        )
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


TOO_MANY = {
    "read": "Too many requests; try again later.",
    "write": "Too many submissions with this api_key; try again later.",
    "bad_key": "Too many submissions with a wrong api_key from this address; try again later.",
}


def too_many(limit: str, period: int, fmt: str) -> HttpResponse:
    response = error(429, TOO_MANY[limit], fmt)
    response["Retry-After"] = str(period)
    return response


def _counted(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=204)


def per_address(request: HttpRequest, limit: str, fmt: str) -> HttpResponse | None:
    """Count this request against `limit` for its client address; a 429 once that is used up, else None.

    Counted through `core.ratelimit`'s decorator, so the client address is the one it settles on (behind a
    trusted proxy too); its own 429 page is HTML, so only its status is used here.
    """
    allowed, period = open311.rate_limits()[limit]
    counted = ratelimit.ratelimit(key=f"open311-{limit}", limit=allowed, period=period)(_counted)
    return too_many(limit, period, fmt) if counted(request).status_code == 429 else None


def per_key(key: Open311Key, fmt: str) -> HttpResponse | None:
    """Count a submission against its api_key's write limit; a 429 once that is used up, else None."""
    allowed, period = open311.rate_limits()["write"]
    if ratelimit.hit(key=f"open311-write:key:{key.pk}", limit=allowed, period=period):
        return None
    return too_many("write", period, fmt)


def api(method: str, limit: str) -> Callable[[Callable[..., tuple[str, Any, int]]], Callable[..., HttpResponse]]:
    """Method check, rate limit, and Open311Error -> error list; the view returns (kind, payload, status).

    `limit` "write" checks the api_key first: a wrong one answers 403 (counted per address as "bad_key"), a
    right one is counted against its own write limit.
    """

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
            if limit == "write":
                key = open311.key_check(request.POST.get("api_key") or "")
                if key is None:
                    return per_address(request, "bad_key", fmt) or error(
                        403, "A valid api_key is required to submit requests.", fmt
                    )
                refused = per_key(key, fmt)
            else:
                refused = per_address(request, limit, fmt)
            if refused is not None:
                return refused
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
def discovery(request: HttpRequest) -> tuple[str, Any, int]:
    services = reverse("open311:services", kwargs={"fmt": "json"})
    endpoint = absolute_url(services.removesuffix("/services.json"))
    return "discovery", open311.discovery_document(endpoint.rstrip("/")), 200


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
    """The api_key has been checked (and counted) by `api`."""
    params = request.POST
    open311.jurisdiction_check(params.get("jurisdiction_id"))
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
