"""The public CAP feeds: the Atom index of current warnings and each message's XML as it was issued.

The public page cache (core.pagecache) keeps HTML only: the index is kept per process with `per_generation`,
rebuilt when public content changes (any write to a warning or message) or after PUBLIC_PAGE_CACHE_SECONDS,
which also moves warnings out of the index once their retention ends. A message never changes, so clients and
proxies may keep it for long.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from openbeat.cap.atom import index_document
from openbeat.cap.models import CapMessage
from openbeat.core.pagecache import per_generation

MESSAGE_MAX_AGE = 24 * 3600


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    body = per_generation("cap:atom-index", index_document)
    response = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={getattr(settings, 'PUBLIC_PAGE_CACHE_SECONDS', 60)}"
    return response


@require_safe
def message(request: HttpRequest, identifier: str) -> HttpResponse:
    issued = get_object_or_404(CapMessage, identifier=identifier)
    response = HttpResponse(issued.xml.encode("utf-8"), content_type="application/cap+xml; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={MESSAGE_MAX_AGE}, immutable"
    return response
