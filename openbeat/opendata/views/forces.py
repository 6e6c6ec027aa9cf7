"""`forces`, `forces/{force}`, `forces/{force}/people`: the one force this deployment serves."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openbeat.opendata import selectors
from openbeat.opendata.http import api_view, not_found


@api_view()
def force_list(request: HttpRequest) -> list[dict[str, Any]]:
    return selectors.forces()


@api_view()
def force_detail(request: HttpRequest, force: str) -> dict[str, Any]:
    found = selectors.force_for(force)
    if found is None:
        raise not_found()
    return selectors.force_document(found)


@api_view()
def force_people(request: HttpRequest, force: str) -> list[dict[str, Any]]:
    if selectors.force_for(force) is None:
        raise not_found()
    return selectors.senior_officers()
