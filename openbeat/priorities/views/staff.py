"""The back office's priorities: the list (the user's divisions, or all for force-wide roles), set one, edit it,
and its page with the history and "Add an update". Out-of-scope priorities and neighbourhoods are refused (403);
every write goes through `priorities.services`, which checks again and writes the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages

from openbeat.areas.models import Neighbourhood
from openbeat.core.numbers import whole_number
from openbeat.core.users import signed_in_staff
from openbeat.priorities import selectors, services
from openbeat.priorities.forms import PriorityForm, PriorityUpdateForm
from openbeat.priorities.models import Priority, Source
from openbeat.staff.scope import scope_for

PERMISSION = services.PERMISSION


def _priority(request: HttpRequest, pk: int) -> Priority:
    priority = Priority.objects.select_related("neighbourhood", "neighbourhood__division").filter(pk=pk).first()
    if priority is None:
        raise Http404
    if not scope_for(request.user).allows(priority.neighbourhood):
        raise PermissionDenied
    return priority


def _service_errors(form: Any, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _int(value: str | None) -> int | None:
    return whole_number(value, max_digits=11)


@permission_required(PERMISSION, raise_exception=True)
def priority_list(request: HttpRequest) -> HttpResponse:
    neighbourhoods = scope_for(request.user).filter(Neighbourhood.objects.all(), "division").order_by("name")
    chosen = _int(request.GET.get("neighbourhood"))
    priorities = selectors.priorities_for_staff(request.user, neighbourhood_id=chosen).order_by(
        "neighbourhood__name", "-date_set", "-pk"
    )
    return render(
        request,
        "priorities/staff/list.html",
        {"priorities": priorities[:500], "neighbourhoods": neighbourhoods, "chosen": chosen},
    )


def _initial(request: HttpRequest) -> dict[str, Any]:
    """Pre-filled from a link, e.g. residents' concerns' "Make this a priority"."""
    get = request.GET
    initial: dict[str, Any] = {}
    if (pk := _int(get.get("neighbourhood"))) is not None:
        initial["neighbourhood"] = pk
    if get.get("source") in Source.values:
        initial["source_kind"] = get["source"]
    for name, key, limit in (
        ("source_reference", "reference", 200),
        ("issue", "issue", 2000),
        ("source_url", "url", 200),
    ):
        if get.get(key):
            initial[name] = get[key][:limit]
    return initial


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def priority_add(request: HttpRequest) -> HttpResponse:
    form = PriorityForm(request.POST or None, user=request.user, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            priority = services.priority_create(
                actor=signed_in_staff(request),
                neighbourhood=data["neighbourhood"],
                issue=data["issue"],
                action=data["action"],
                date_set=data["date_set"],
                source_kind=data["source_kind"],
                source_reference=data["source_reference"],
                source_url=data["source_url"],
                published=data["published"],
                request=request,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "Priority saved." + ("" if priority.published else " It is a draft."))
            return redirect("priorities_staff:detail", pk=priority.pk)
    return render(request, "priorities/staff/form.html", {"form": form, "priority": None})


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def priority_edit(request: HttpRequest, pk: int) -> HttpResponse:
    priority = _priority(request, pk)
    form = PriorityForm(request.POST or None, user=request.user, instance=Priority.objects.get(pk=priority.pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.priority_edit(
                actor=signed_in_staff(request),
                priority=priority,
                request=request,
                **{name: data[name] for name in services.EDITABLE},
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "Priority saved.")
            return redirect("priorities_staff:detail", pk=priority.pk)
    return render(request, "priorities/staff/form.html", {"form": form, "priority": priority})


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def priority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The priority, its history, and the "Add an update" form (posted here)."""
    priority = _priority(request, pk)
    form = PriorityUpdateForm(request.POST or None, priority=priority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.priority_update_add(
                actor=signed_in_staff(request),
                priority=priority,
                date=data["date"],
                status=data["status"],
                note=data["note"],
                outcome=data["outcome"],
                request=request,
            )
        except ValidationError as error:
            _service_errors(form, error)
        else:
            messages.success(request, "Update added.")
            return redirect("priorities_staff:detail", pk=priority.pk)
    return render(
        request,
        "priorities/staff/detail.html",
        {"priority": priority, "updates": priority.updates.order_by("date", "pk"), "form": form},
    )
