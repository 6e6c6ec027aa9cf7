"""Residents' pages: the list of events (filterable, paged, past ones kept), an event's page, the calendar files.

Feeds answer conditional GETs from one aggregate query (ETag and Last-Modified from the newest change and the
count), so a calendar app polling every few hours costs almost nothing when nothing changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlencode
from uuid import UUID

from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_response_headers
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from openbeat.alerts.markdown import render_html
from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.paths import absolute_url
from openbeat.events import ical, selectors
from openbeat.events.forms import EventFilterForm
from openbeat.events.models import Event
from openbeat.events.words import LONDON, when_in_words

PER_PAGE = 20
FEED_MAX_AGE = 15 * 60


def _webcal(path: str) -> str:
    url = absolute_url(path)
    return "webcal://" + url.split("://", 1)[1]


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    events = selectors.public_events()
    past = False
    feed_path, feed_name = reverse("events:force_feed"), "all events"
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        past = data.get("when") == "past"
        neighbourhood = Neighbourhood.objects.filter(code=data["neighbourhood"]).first()
        division = Division.objects.filter(code=data["division"]).first()
        if neighbourhood is not None:
            events = selectors.for_neighbourhood(events, neighbourhood)
            feed_path = reverse("events:neighbourhood_feed", kwargs={"code": neighbourhood.code})
            feed_name = neighbourhood.name
        elif division is not None:
            events = selectors.for_division(events, division)
            feed_path = reverse("events:division_feed", kwargs={"code": division.code})
            feed_name = f"{division.name} division"
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("date_from"):
            events = events.filter(ends_at__gte=dt.datetime.combine(data["date_from"], dt.time(), tzinfo=LONDON))
        if data.get("date_to"):
            day_after = data["date_to"] + dt.timedelta(days=1)
            events = events.filter(starts_at__lt=dt.datetime.combine(day_after, dt.time(), tzinfo=LONDON))
    now = timezone.now()
    if past:
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "pk")
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "events/event_list.html",
        {
            "form": form,
            "past": past,
            "page": page,
            "items": [(event, when_in_words(event.starts_at, event.ends_at)) for event in page.object_list],
            "query": query.urlencode(),
            "feed_path": feed_path,
            "feed_webcal": _webcal(feed_path),
            "feed_name": feed_name,
        },
    )


@require_GET
def event_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    event = get_object_or_404(selectors.public_events(), public_id=public_id)
    if event.neighbourhood_id is not None:
        feed_path = reverse("events:neighbourhood_feed", kwargs={"code": event.neighbourhood.code})  # type: ignore[union-attr]
        feed_name = event.neighbourhood.name  # type: ignore[union-attr]
    elif event.division_id is not None:
        feed_path = reverse("events:division_feed", kwargs={"code": event.division.code})  # type: ignore[union-attr]
        feed_name = f"{event.division.name} division"  # type: ignore[union-attr]
    else:
        feed_path, feed_name = reverse("events:force_feed"), "all events"
    map_url = ""
    if event.in_person and event.has_point:
        map_url = (
            "https://www.openstreetmap.org/?"
            + urlencode({"mlat": event.lat, "mlon": event.lon})
            + (f"#map=17/{event.lat}/{event.lon}")
        )
    elif event.in_person and event.address:
        map_url = "https://www.openstreetmap.org/search?" + urlencode({"query": " ".join(event.address.split())})
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "when": when_in_words(event.starts_at, event.ends_at),
            "past": event.ends_at < timezone.now(),
            "description_html": render_html(event.description),
            "map_url": map_url,
            "ics_path": reverse("events:event_ics", kwargs={"public_id": event.public_id}),
            "feed_path": feed_path,
            "feed_webcal": _webcal(feed_path),
            "feed_name": feed_name,
        },
    )


def _calendar_response(
    request: HttpRequest, events: QuerySet[Event], *, key: str, name: str, filename: str
) -> HttpResponse:
    """The calendar of `events`, or 304 when the caller's copy is current (checked with one aggregate query)."""
    stats = events.order_by().aggregate(newest=Max("updated_at"), count=Count("pk"))
    newest = stats["newest"]
    today = timezone.localdate()  # the feed window moves daily, so a day's change makes a new ETag too
    etag = (
        '"'
        + hashlib.sha256(f"{key}|{newest}|{stats['count']}|{today}|{ical.site_host()}".encode()).hexdigest()[:32]
        + '"'
    )
    last_modified = int(newest.timestamp()) if newest is not None else None  # HTTP dates are whole seconds
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        return not_modified
    body = ical.calendar_bytes(events, name=name)
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_response_headers(response, cache_timeout=FEED_MAX_AGE)
    return response


@require_GET
def event_ics(request: HttpRequest, public_id: UUID) -> HttpResponse:
    events = selectors.public_events().filter(public_id=public_id)
    event = get_object_or_404(events)
    response = _calendar_response(request, events, key=f"event:{public_id}", name=event.title, filename="event.ics")
    if response.status_code == 200:
        response["Content-Disposition"] = 'attachment; filename="event.ics"'
    return response


@require_GET
def force_feed(request: HttpRequest) -> HttpResponse:
    from openbeat.core.models import Force

    events = selectors.feed_window(selectors.public_events())
    name = f"{Force.current().name} events"
    return _calendar_response(request, events, key="force", name=name, filename="events.ics")


@require_GET
def division_feed(request: HttpRequest, code: str) -> HttpResponse:
    division = get_object_or_404(Division, code=code)
    events = selectors.feed_window(selectors.for_division(selectors.public_events(), division))
    return _calendar_response(
        request,
        events,
        key=f"division:{division.pk}",
        name=f"{division.name} division police events",
        filename="events.ics",
    )


@require_GET
def neighbourhood_feed(request: HttpRequest, code: str) -> HttpResponse:
    neighbourhood = get_object_or_404(Neighbourhood, code=code)
    events = selectors.feed_window(selectors.for_neighbourhood(selectors.public_events(), neighbourhood))
    return _calendar_response(
        request,
        events,
        key=f"neighbourhood:{neighbourhood.pk}",
        name=f"{neighbourhood.name} police events",
        filename="events.ics",
    )
