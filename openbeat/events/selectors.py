"""Reads of events: the back office's (scoped), the public site's and the calendar feeds'."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.users import RequestUser
from openbeat.events.models import Event
from openbeat.events.words import when_in_words
from openbeat.staff.scope import scope_for

# Feeds keep events that ended this long ago, so a calendar that last looked a while back still learns that an
# event it holds was changed or cancelled; older ones are on the public list (past events) only.
FEED_PAST = timedelta(days=90)
SECTION_SIZE = 5


def events_for(user: RequestUser) -> QuerySet[Event]:
    """Events a staff user may see in the back office: their division's (force-wide staff: all)."""
    queryset = Event.objects.select_related("neighbourhood", "division")
    scope = scope_for(user)
    if scope.force_wide:
        return queryset
    return queryset.filter(division__in=scope.division_ids)


def public_events() -> QuerySet[Event]:
    """Published and cancelled events: what residents see (cancelled ones marked as such)."""
    return Event.objects.filter(state__in=[Event.State.PUBLISHED, Event.State.CANCELLED]).select_related(
        "neighbourhood", "division"
    )


def for_neighbourhood(queryset: QuerySet[Event], neighbourhood: Neighbourhood) -> QuerySet[Event]:
    """A neighbourhood's own events, its division's (those for the whole division) and force-wide ones."""
    return queryset.filter(
        Q(neighbourhood=neighbourhood)
        | Q(neighbourhood__isnull=True, division_id=neighbourhood.division_id)
        | Q(force_wide=True)
    )


def for_division(queryset: QuerySet[Event], division: Division) -> QuerySet[Event]:
    """A division's events, its neighbourhoods' included, and force-wide ones."""
    return queryset.filter(Q(division=division) | Q(force_wide=True))


def feed_window(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.filter(ends_at__gte=timezone.now() - FEED_PAST)


def upcoming(queryset: QuerySet[Event]) -> QuerySet[Event]:
    return queryset.filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")


def neighbourhood_events_section(neighbourhood: Neighbourhood) -> dict[str, Any]:
    """The neighbourhood page's events section (areas.sections): the next few events, with the feed's address."""
    events = list(upcoming(for_neighbourhood(public_events(), neighbourhood))[:SECTION_SIZE])
    return {
        "events": [(event, when_in_words(event.starts_at, event.ends_at)) for event in events],
        "feed_path": reverse("events:neighbourhood_feed", kwargs={"code": neighbourhood.code}),
        "list_path": reverse("events:list") + "?" + urlencode({"neighbourhood": neighbourhood.code}),
    }
