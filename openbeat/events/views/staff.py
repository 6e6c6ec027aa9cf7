"""The back office's events: list, create and edit (with a map to place it), the event's page with its history,
publish (optionally telling In the Know subscribers), cancel with a reason, and send the notice later.

Events are only ever read through `events_for(user)` (outside it: 404); what a user may do to one is
`event_can_manage` and the services' own checks. The services write the audit log; these views never do.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from openbeat.alerts.services import AlertPermissionError, AlertStateError
from openbeat.alerts.targeting import TargetingError
from openbeat.core.users import signed_in_staff
from openbeat.events import services
from openbeat.events.forms import CancelForm, EventForm, PublishForm
from openbeat.events.models import Event
from openbeat.events.selectors import events_for
from openbeat.events.words import when_in_words
from openbeat.staff.scope import scope_for

_NOTICE_ERRORS = (AlertPermissionError, AlertStateError, TargetingError, services.EventStateError)


def _event(request: HttpRequest, pk: int) -> Event:
    """The event if it is in the user's scope; otherwise 404."""
    return get_object_or_404(events_for(request.user), pk=pk)


def _manageable(request: HttpRequest, pk: int) -> Event:
    event = _event(request, pk)
    if not services.event_can_manage(request.user, event):
        raise PermissionDenied("You cannot change this event")
    return event


def _form_page(request: HttpRequest, form: EventForm, event: Event | None) -> HttpResponse:
    return render(
        request,
        "events/staff/event_form.html",
        {
            "form": form,
            "event": event,
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
        status=200,
    )


@permission_required("events.view_event", raise_exception=True)
def event_list(request: HttpRequest) -> HttpResponse:
    events = events_for(request.user).order_by("-starts_at", "-pk")
    state = request.GET.get("state", "")
    if state in Event.State.values:
        events = events.filter(state=state)
    page = Paginator(events, 50).get_page(request.GET.get("p"))
    return render(
        request,
        "events/staff/event_list.html",
        {
            "page": page,
            "state": state,
            "states": Event.State.choices,
            "can_add": request.user.has_perm("events.manage_event"),
        },
    )


@permission_required("events.manage_event", raise_exception=True)
def event_new(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if request.method != "POST":
        return _form_page(request, EventForm(scope=scope, initial={"attendance": Event.Attendance.IN_PERSON}), None)
    form = EventForm(request.POST, scope=scope)
    if form.is_valid():
        try:
            event = services.event_create(author=signed_in_staff(request), request=request, **form.service_values())
        except ValidationError as error:
            form.add_service_errors(error)
        except services.EventPermissionError as error:
            form.add_error("scope", error.message)
        else:
            messages.success(request, f"Event '{event.title}' saved as a draft.")
            return redirect("events_staff:detail", pk=event.pk)
    return _form_page(request, form, None)


@permission_required("events.manage_event", raise_exception=True)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _manageable(request, pk)
    if event.state == Event.State.CANCELLED:
        messages.error(request, "A cancelled event cannot be changed.")
        return redirect("events_staff:detail", pk=event.pk)
    scope = scope_for(request.user)
    if request.method != "POST":
        return _form_page(request, EventForm(scope=scope, initial=EventForm.initial_for(event)), event)
    form = EventForm(request.POST, scope=scope)
    if form.is_valid():
        try:
            services.event_update(
                event=event, editor=signed_in_staff(request), request=request, **form.service_values()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except services.EventPermissionError as error:
            form.add_error("scope", error.message)
        except services.EventStateError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Event '{form.cleaned_data['title']}' saved.")
            return redirect("events_staff:detail", pk=event.pk)
    return _form_page(request, form, event)


@permission_required("events.view_event", raise_exception=True)
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    return _detail_page(request, event, PublishForm(), CancelForm())


def _detail_page(
    request: HttpRequest, event: Event, publish_form: PublishForm, cancel_form: CancelForm, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "event": event,
        "when": when_in_words(event.starts_at, event.ends_at),
        "revisions": event.revisions.select_related("changed_by"),
        "can_manage": services.event_can_manage(request.user, event),
        "can_notify": request.user.has_perm("alerts.send_alert"),
        "publish_form": publish_form,
        "cancel_form": cancel_form,
    }
    return render(request, "events/staff/event_detail.html", context, status=status)


@require_POST
@permission_required("events.manage_event", raise_exception=True)
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = _manageable(request, pk)
    form = PublishForm(request.POST)
    notify = form.is_valid() and form.cleaned_data["notify"]
    try:
        event = services.event_publish(event=event, actor=signed_in_staff(request), notify=notify, request=request)
    except services.EventStateError as error:
        messages.error(request, error.message)
    except (*_NOTICE_ERRORS, ValidationError) as error:
        message = getattr(error, "message", None) or "; ".join(getattr(error, "messages", [str(error)]))
        messages.error(
            request, f"The event was not published: the notice to subscribers could not be made ({message})."
        )
    else:
        text = f"Event '{event.title}' published."
        if notify and event.notice_alert_id:
            text += " An In the Know alert was made for it: see Alerts for its approval and sending."
        messages.success(request, text)
    return redirect("events_staff:detail", pk=event.pk)


@require_POST
@permission_required("events.manage_event", raise_exception=True)
def event_notify(request: HttpRequest, pk: int) -> HttpResponse:
    event = _manageable(request, pk)
    try:
        services.event_notify(event=event, actor=signed_in_staff(request), request=request)
    except (*_NOTICE_ERRORS, ValidationError) as error:
        message = getattr(error, "message", None) or "; ".join(getattr(error, "messages", [str(error)]))
        messages.error(request, f"The notice could not be made: {message}")
    else:
        messages.success(
            request, "An In the Know alert was made for this event: see Alerts for its approval and sending."
        )
    return redirect("events_staff:detail", pk=event.pk)


@permission_required("events.manage_event", raise_exception=True)
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _manageable(request, pk)
    if request.method != "POST":
        return redirect("events_staff:detail", pk=event.pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.event_cancel(
                event=event, actor=signed_in_staff(request), reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("reason", message)
        except services.EventStateError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Event '{event.title}' cancelled. Residents and calendars will see why.")
            return redirect("events_staff:detail", pk=event.pk)
    return _detail_page(request, event, PublishForm(), form)
