"""Writes to events: create, change, publish, cancel, and the In the Know notice (models.py has the lifecycle).

Every function checks who is acting (`events.manage_event`, and the event's division inside their scope; a
force-wide event only for force-wide staff), changes the event under a row lock and writes the audit log
(`events.event.<verb>`). A change to a published event increments `sequence` and keeps an `EventRevision`.

Errors, each with a `.message`:
- `EventPermissionError` (a PermissionDenied): the actor may not do this to this event, or not there.
- `EventStateError`: not in a state that allows it ("A cancelled event cannot be changed").
- `django.core.exceptions.ValidationError` with a dict keyed by field name (title, description, kind, starts_at,
  ends_at, attendance, address, lat, lon, online_url, contact_name, contact_email, contact_phone, scope).

The notice (`event_notify`) is an ordinary In the Know alert made through `alerts.services.alert_create` and
`alert_submit`: the alerts' approval rules, caps, translations, delivery and statistics all apply. An event has
one notice at most: asking again gives the same alert.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openbeat.alerts.models import Alert, Priority
from openbeat.alerts.services import alert_create, alert_submit
from openbeat.areas.models import Division, Neighbourhood
from openbeat.audit.services import log_action
from openbeat.core.paths import absolute_url
from openbeat.core.users import RequestUser, StaffUser
from openbeat.events.models import Event, EventRevision
from openbeat.events.words import when_in_words
from openbeat.staff.scope import scope_for
from openbeat.subscriptions.models import Interest

# The In the Know interest residents choose to hear about events (seeded by subscriptions; ensured by
# events' migration 0002).
EVENTS_INTEREST_SLUG = "events-pact"
MAX_DESCRIPTION = 10_000
MAX_LENGTH = timedelta(days=14)
FIELDS = (
    "title",
    "description",
    "kind",
    "starts_at",
    "ends_at",
    "attendance",
    "address",
    "lat",
    "lon",
    "online_url",
    "contact_name",
    "contact_email",
    "contact_phone",
    "neighbourhood",
    "division",
    "force_wide",
)


class EventStateError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EventPermissionError(PermissionDenied):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------- checks


def event_can_manage(user: RequestUser, event: Event) -> bool:
    """Whether `user` may change `event`: the permission, and its division in scope (force-wide: force-wide)."""
    if user is None or not user.is_authenticated or not user.has_perm("events.manage_event"):
        return False
    scope = scope_for(user)
    if event.force_wide:
        return scope.force_wide
    return scope.allows_division(event.division_id)


def _check_place(user: RequestUser, *, force_wide: bool, division: Division | None) -> None:
    if user is None or not user.is_authenticated or not user.has_perm("events.manage_event"):
        raise EventPermissionError("You do not have permission to manage events")
    scope = scope_for(user)
    if force_wide and not scope.force_wide:
        raise EventPermissionError("Only force-wide staff can publish force-wide events")
    if not force_wide and not scope.allows_division(division):
        raise EventPermissionError("You can only manage events in your own division")


def _text(value: Any) -> str:
    return str(value or "").strip()


_url = URLValidator(schemes=["http", "https"])


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check the fields together; raise ValidationError keyed by field."""
    errors: dict[str, str] = {}
    clean = dict(values)
    clean["title"] = title = " ".join(_text(values.get("title")).split())
    if not title:
        errors["title"] = "Enter a title"
    elif len(title) > 150:
        errors["title"] = "The title must be 150 characters or fewer"
    clean["description"] = description = _text(values.get("description"))
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = f"The description must be {MAX_DESCRIPTION:,} characters or fewer"
    if values.get("kind") not in Event.Kind.values:
        errors["kind"] = "Choose what kind of event it is"
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    for name, when in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(when, datetime) or timezone.is_naive(when):
            errors[name] = "Enter a date and time"
    if (
        isinstance(starts_at, datetime)
        and isinstance(ends_at, datetime)
        and not ({"starts_at", "ends_at"} & set(errors))
    ):
        if ends_at <= starts_at:
            errors["ends_at"] = "The end must be after the start"
        elif ends_at - starts_at > MAX_LENGTH:
            errors["ends_at"] = "An event can last at most 14 days"
    attendance = values.get("attendance")
    if attendance not in Event.Attendance.values:
        errors["attendance"] = "Choose how people can attend"
    in_person = attendance in (Event.Attendance.IN_PERSON, Event.Attendance.BOTH)
    online = attendance in (Event.Attendance.ONLINE, Event.Attendance.BOTH)
    clean["address"] = address = _text(values.get("address"))
    if in_person and not address:
        errors["address"] = "Enter the address of the event"
    elif len(address) > 500:
        errors["address"] = "The address must be 500 characters or fewer"
    lat, lon = values.get("lat"), values.get("lon")
    if (lat is None) != (lon is None):
        errors["lat"] = "Enter both the latitude and the longitude, or choose the place on the map"
    elif lat is not None:
        try:
            clean["lat"], clean["lon"] = lat, lon = float(lat), float(lon)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors["lat"] = "Enter the latitude and longitude as numbers"
        else:
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # type: ignore[operator]
                errors["lat"] = "Enter a latitude between -90 and 90 and a longitude between -180 and 180"
    if not in_person:
        clean["address"], clean["lat"], clean["lon"] = "", None, None
    clean["online_url"] = online_url = _text(values.get("online_url"))
    if online:
        if not online_url:
            errors["online_url"] = "Enter the link people use to join online"
        else:
            try:
                _url(online_url)
            except ValidationError:
                errors["online_url"] = "Enter a web address starting with https://"
            if len(online_url) > 500:
                errors["online_url"] = "The web address must be 500 characters or fewer"
    else:
        clean["online_url"] = ""
    clean["contact_name"] = contact_name = " ".join(_text(values.get("contact_name")).split())
    if len(contact_name) > 120:
        errors["contact_name"] = "The contact's name must be 120 characters or fewer"
    clean["contact_email"] = contact_email = _text(values.get("contact_email"))
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = "Enter an email address in the correct format, like name@example.com"
    clean["contact_phone"] = contact_phone = _text(values.get("contact_phone"))
    if len(contact_phone) > 40 or (contact_phone and not any(c.isdigit() for c in contact_phone)):
        errors["contact_phone"] = "Enter a phone number, like 01632 960 001"
    neighbourhood, division = values.get("neighbourhood"), values.get("division")
    if isinstance(neighbourhood, Neighbourhood):
        clean["division"], clean["force_wide"] = neighbourhood.division, False
    elif isinstance(division, Division):
        clean["neighbourhood"], clean["force_wide"] = None, False
    elif values.get("force_wide"):
        clean["neighbourhood"], clean["division"], clean["force_wide"] = None, None, True
    else:
        errors["scope"] = "Choose who the event is for: a neighbourhood, a division or the whole force"
    if errors:
        raise ValidationError(errors)
    return clean


def _locked(event: Event) -> Event:
    # Only the event's row: PostgreSQL refuses FOR UPDATE on the nullable side of an outer join (select_related).
    return Event.objects.select_for_update().get(pk=event.pk)


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if value is None:
        return ""
    return str(value)


# ---------------------------------------------------------------------------------------------- writes


@transaction.atomic
def event_create(*, author: StaffUser, request: HttpRequest | None = None, **fields: Any) -> Event:
    """A new draft by `author`, in a place inside their scope."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"event_create() got unexpected fields: {', '.join(sorted(unknown))}")
    values = _clean({name: fields.get(name) for name in FIELDS})
    _check_place(author, force_wide=values["force_wide"], division=values["division"])
    event = Event.objects.create(**values, created_by=author)
    log_action("events.event.create", actor=author, target=event, data={"kind": event.kind}, request=request)
    return event


@transaction.atomic
def event_update(*, event: Event, editor: StaffUser, request: HttpRequest | None = None, **fields: Any) -> Event:
    """Change an event's fields (the same as event_create's; those not given stay). A published event's change
    increments its sequence and is kept as a revision."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"event_update() got unexpected fields: {', '.join(sorted(unknown))}")
    event = _locked(event)
    if not event_can_manage(editor, event):
        raise EventPermissionError("You cannot change this event")
    if event.state == Event.State.CANCELLED:
        raise EventStateError("A cancelled event cannot be changed")
    current = {name: getattr(event, name) for name in FIELDS}
    values = _clean({**current, **fields})
    _check_place(editor, force_wide=values["force_wide"], division=values["division"])
    changes = {name: [_shown(current[name]), _shown(values[name])] for name in FIELDS if current[name] != values[name]}
    if not changes:
        return event
    for name, value in values.items():
        setattr(event, name, value)
    if event.state == Event.State.PUBLISHED:
        event.sequence += 1
        EventRevision.objects.create(
            event=event, sequence=event.sequence, action="changed", changes=changes, changed_by=editor
        )
    event.save()
    log_action(
        "events.event.change",
        actor=editor,
        target=event,
        data={"fields": sorted(changes), "sequence": event.sequence},
        request=request,
    )
    return event


@transaction.atomic
def event_publish(*, event: Event, actor: StaffUser, notify: bool = False, request: HttpRequest | None = None) -> Event:
    """A draft goes on the public site and in the calendar feeds; with `notify`, In the Know subscribers are told
    (event_notify). Publishing a published event again only sends the notice if none was sent."""
    event = _locked(event)
    if not event_can_manage(actor, event):
        raise EventPermissionError("You cannot publish this event")
    if event.state == Event.State.CANCELLED:
        raise EventStateError("A cancelled event cannot be published again")
    if event.state == Event.State.DRAFT:
        event.state = Event.State.PUBLISHED
        event.published_at = timezone.now()
        event.save()
        EventRevision.objects.create(event=event, sequence=event.sequence, action="published", changed_by=actor)
        log_action("events.event.publish", actor=actor, target=event, data={"notify": notify}, request=request)
    if notify:
        event.notice_alert = event_notify(event=event, actor=actor, request=request)
    return event


@transaction.atomic
def event_cancel(*, event: Event, actor: StaffUser, reason: str, request: HttpRequest | None = None) -> Event:
    """A published event is called off: it stays on the site and in the feeds, marked cancelled with the reason."""
    event = _locked(event)
    if not event_can_manage(actor, event):
        raise EventPermissionError("You cannot cancel this event")
    if event.state != Event.State.PUBLISHED:
        raise EventStateError("Only a published event can be cancelled")
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "Enter why the event is cancelled"})
    if len(reason) > 500:
        raise ValidationError({"reason": "The reason must be 500 characters or fewer"})
    event.state = Event.State.CANCELLED
    event.cancel_reason = reason
    event.cancelled_at = timezone.now()
    event.sequence += 1
    event.save()
    EventRevision.objects.create(
        event=event,
        sequence=event.sequence,
        action="cancelled",
        changes={"state": [Event.State.PUBLISHED.label, Event.State.CANCELLED.label], "reason": ["", reason]},
        changed_by=actor,
    )
    log_action("events.event.cancel", actor=actor, target=event, data={"sequence": event.sequence}, request=request)
    return event


# ---------------------------------------------------------------------------------------------- the notice


def notice_targeting(event: Event) -> dict[str, Any]:
    """The alerts' targeting spec for the people an event is for, who chose to hear about events."""
    if event.force_wide:
        areas: dict[str, Any] = {"whole_force": True}
    elif event.neighbourhood_id is not None:
        areas = {"neighbourhoods": [event.neighbourhood_id]}
    else:
        areas = {"divisions": [event.division_id]}
    return {"areas": areas, "topics": {"include": [EVENTS_INTEREST_SLUG]}}


def notice_body(event: Event) -> str:
    lines = [f"**When:** {when_in_words(event.starts_at, event.ends_at)}"]
    if event.in_person and event.address:
        lines.append(f"**Where:** {' '.join(event.address.split())}")
    if event.online:
        lines.append("**Online:** you can also join online: the link is on the event's page.")
    parts = ["\n\n".join(lines)]
    if event.description:
        parts.append(event.description)
    return "\n\n".join(parts)[:10_000]


@transaction.atomic
def event_notify(*, event: Event, actor: StaffUser, request: HttpRequest | None = None) -> Alert:
    """Tell In the Know subscribers about a published event, once: an alert composed and submitted as `actor`."""
    event = _locked(event)
    if event.notice_alert_id is not None:
        return Alert.objects.get(pk=event.notice_alert_id)
    if not event_can_manage(actor, event):
        raise EventPermissionError("You cannot send a notice about this event")
    if event.state != Event.State.PUBLISHED:
        raise EventStateError("Only a published event can be announced to subscribers")
    interest = Interest.objects.filter(slug=EVENTS_INTEREST_SLUG, active=True).first()
    if interest is None:
        raise EventStateError("The In the Know interest for events is switched off: ask an administrator")
    expires = event.ends_at if event.ends_at > timezone.now() else None
    alert = alert_create(
        author=actor,
        title=event.title,
        body=notice_body(event),
        interest=interest,
        priority=Priority.INFORMATION,
        targeting=notice_targeting(event),
        link_url=absolute_url(event.get_absolute_url()),
        link_text="Event details and add to your calendar",
        expires_at=expires,
        request=request,
    )
    alert = alert_submit(alert=alert, actor=actor, request=request)
    event.notice_alert = alert
    event.save(update_fields=["notice_alert", "updated_at"])
    log_action(
        "events.event.notify",
        actor=actor,
        target=event,
        data={"alert": alert.pk, "state": alert.state},
        request=request,
    )
    return alert
