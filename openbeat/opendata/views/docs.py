"""/api/: the page that describes the API to people, and /api/openapi.json, the document that describes it to
programs. Both are built from one source, openbeat.opendata.openapi."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openbeat.core.models import Force
from openbeat.core.pagecache import per_generation
from openbeat.opendata import openapi
from openbeat.opendata.http import api_view

OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

# An example request for each path ("{force}" is filled in with the force's id).
EXAMPLE_REQUESTS = {
    "/api/forces": "/api/forces",
    "/api/forces/{force}": "/api/forces/{force}",
    "/api/forces/{force}/people": "/api/forces/{force}/people",
    "/api/{force}/neighbourhoods": "/api/{force}/neighbourhoods",
    "/api/{force}/{neighbourhood}": "/api/{force}/PR11",
    "/api/{force}/{neighbourhood}/boundary": "/api/{force}/PR11/boundary",
    "/api/{force}/{neighbourhood}/people": "/api/{force}/PR11/people",
    "/api/{force}/{neighbourhood}/events": "/api/{force}/PR11/events",
    "/api/{force}/{neighbourhood}/priorities": "/api/{force}/PR11/priorities",
    "/api/locate-neighbourhood": "/api/locate-neighbourhood?q=53.785,-2.725",
    "/api/crime-categories": "/api/crime-categories?date=2024-01",
    "/api/crimes-street-dates": "/api/crimes-street-dates",
    "/api/crime-last-updated": "/api/crime-last-updated",
    "/api/crimes-street/{category}": "/api/crimes-street/all-crime?lat=53.76&lng=-2.70&date=2024-01",
    "/api/crimes-at-location": "/api/crimes-at-location?date=2024-01&lat=53.76&lng=-2.70",
    "/api/crimes-no-location": "/api/crimes-no-location?category=all-crime&force={force}&date=2024-01",
    "/api/outcomes-for-crime/{persistent_id}": "/api/outcomes-for-crime/"
    "dd6e56f90d1bdd7bc7482af17852369f263203d9a688fac42ec53bf48485d8f1",
}

_CRIME = {
    "category": "burglary",
    "location_type": "Force",
    "location": {
        "latitude": "53.760012",
        "street": {"id": 1737432, "name": "On or near Fishergate"},
        "longitude": "-2.703542",
    },
    "context": "",
    "outcome_status": {"category": "Under investigation", "date": "2024-01"},
    "persistent_id": "dd6e56f90d1bdd7bc7482af17852369f263203d9a688fac42ec53bf48485d8f1",
    "id": 116208998,
    "location_subtype": "",
    "month": "2024-01",
}
# Example answers for paths whose OpenAPI entry has none (data.police.uk's documented shapes).
EXAMPLE_RESPONSES: dict[str, Any] = {
    "/api/crime-categories": [{"url": "all-crime", "name": "All crime"}, {"url": "burglary", "name": "Burglary"}],
    "/api/crimes-street-dates": [{"date": "2024-01", "stop-and-search": ["{force}"]}],
    "/api/crime-last-updated": {"date": "2024-01-01"},
    "/api/crimes-street/{category}": [_CRIME],
    "/api/crimes-at-location": [_CRIME],
    "/api/crimes-no-location": [{**_CRIME, "location_type": None, "location": None}],
    "/api/outcomes-for-crime/{persistent_id}": {
        "crime": _CRIME,
        "outcomes": [
            {
                "category": {"code": "under-investigation", "name": "Under investigation"},
                "date": "2024-01",
                "person_id": None,
            }
        ],
    },
}


def _example_response(path: str, operation: dict[str, Any]) -> Any:
    content = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
    if "example" in content:
        return content["example"]
    return EXAMPLE_RESPONSES.get(path)


def endpoints(force_code: str) -> list[dict[str, Any]]:
    """Each path of the document with its summary, parameters and an example request and response."""
    rows = []
    for path, operations in openapi.document()["paths"].items():
        for method, operation in operations.items():
            example = _example_response(path, operation)
            text = json.dumps(example, indent=2, ensure_ascii=False) if example is not None else ""
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "parameters": operation.get("parameters", []),
                    "request": EXAMPLE_REQUESTS.get(path, path).replace("{force}", force_code),
                    "response": text.replace("{force}", force_code),
                }
            )
    return rows


def api_docs(request: HttpRequest) -> HttpResponse:
    force = per_generation("opendata:force", Force.current)
    context = {"endpoints": endpoints(force.code), "ogl_url": OGL_URL, "force": force}
    return render(request, "opendata/docs.html", context)


@api_view()
def openapi_json(request: HttpRequest) -> dict[str, Any]:
    return openapi.document()
