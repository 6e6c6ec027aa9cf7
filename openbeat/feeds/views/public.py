"""The public feeds: each feed as RSS 2.0 or Atom, the page listing them, and a neighbourhood's feeds.

A feed is answered from the shared cache's copy (feeds.documents.document) with its ETag and Last-Modified, and
a 304 when the reader has it already. Cache-Control lets readers and proxies keep it for a short while only (the
public pages' PUBLIC_PAGE_CACHE_SECONDS): a redacted appeal must not live on in someone's cache for long.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET, require_safe

from openbeat.areas.forms import FindNeighbourhoodForm
from openbeat.areas.models import Division
from openbeat.core.models import Force
from openbeat.core.ratelimit import ratelimit
from openbeat.feeds.documents import CONTENT_TYPES, Format, document
from openbeat.feeds.links import feed_links
from openbeat.feeds.selectors import Kind, Scope, scope_for


def _not_found(what: str) -> HttpResponse:
    return HttpResponseNotFound(f"Not found: {what}.\n", content_type="text/plain; charset=utf-8")


def _answer(
    request: HttpRequest, kind: Kind, fmt: Format, *, division: str | None = None, neighbourhood: str | None = None
) -> HttpResponse:
    found = document(kind, fmt, division_code=division, neighbourhood_code=neighbourhood)
    if found is None:
        return _not_found(f"no division with the code {division!r}" if division else "no such neighbourhood")
    last_modified = int(found.last_modified.timestamp())
    not_modified = get_conditional_response(request, etag=found.etag, last_modified=last_modified)
    response = not_modified or HttpResponse(found.body, content_type=CONTENT_TYPES[fmt])
    response["ETag"] = found.etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={getattr(settings, 'PUBLIC_PAGE_CACHE_SECONDS', 60)}"
    return response


@require_safe
def force_feed(request: HttpRequest, kind: Kind, fmt: Format) -> HttpResponse:
    return _answer(request, kind, fmt)


@require_safe
def division_feed(request: HttpRequest, code: str, kind: Kind, fmt: Format) -> HttpResponse:
    return _answer(request, kind, fmt, division=code)


@require_safe
def neighbourhood_feed(request: HttpRequest, code: str, kind: Kind, fmt: Format) -> HttpResponse:
    return _answer(request, kind, fmt, neighbourhood=code)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    # Only a look-up counts against the limit: the page itself is the same for everyone.
    if "postcode" in request.GET:
        return _find_postcode(request)
    return _index(request, FindNeighbourhoodForm(None))


def _index(request: HttpRequest, form: FindNeighbourhoodForm) -> HttpResponse:
    name = Force.current().name
    divisions = [(division, feed_links(name, Scope(division=division))) for division in Division.objects.all()]
    return render(
        request,
        "feeds/index.html",
        {"form": form, "force_feeds": feed_links(name, Scope()), "divisions": divisions},
    )


@ratelimit(key="feeds-find-neighbourhood", limit=60, period=60)
def _find_postcode(request: HttpRequest) -> HttpResponse:
    form = FindNeighbourhoodForm(request.GET)
    if form.is_valid():
        assert form.location is not None
        return redirect("feeds:neighbourhood_feeds", code=form.location.neighbourhood.code)
    return _index(request, form)


@require_GET
def neighbourhood_feeds(request: HttpRequest, code: str) -> HttpResponse:
    scope = scope_for(neighbourhood_code=code)
    if scope is None or scope.neighbourhood is None:
        raise Http404("No such neighbourhood")
    return render(
        request,
        "feeds/neighbourhood.html",
        {"neighbourhood": scope.neighbourhood, "feeds": feed_links(Force.current().name, scope)},
    )
