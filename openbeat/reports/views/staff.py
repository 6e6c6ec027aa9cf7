"""The back office's triage queue and a report's page, with its actions (triage, assign, status and outcome,
internal note, message to the reporter, share a compliment).

Reports are only ever read through `permissions.reports_for(user)`: one outside it is a 404, so other divisions'
reports (and complaints, for everyone outside Professional Standards) do not even exist. A report's page shows
personal data (contact details, the answers typed), so each showing is audit-logged first
(`report_personal_data_viewed`). Every change goes through `reports.services`, which writes the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin import messages

from openbeat.core.users import signed_in_staff, user_name
from openbeat.reports import selectors, services
from openbeat.reports.forms_staff import (
    AssignForm,
    EraseReporterForm,
    MessageForm,
    NoteForm,
    QueueFilterForm,
    StatusForm,
)
from openbeat.reports.models import Report, ReportType
from openbeat.reports.permissions import can_open_evidence

PERMISSION = "reports.triage_report"


def _report(request: HttpRequest, pk: int) -> Report:
    report = selectors.report_detail(request.user, pk)
    if report is None:
        raise Http404
    return report


def _form_errors(form: django_forms.Form, error: services.ReportInvalid) -> None:
    """A service's refusal shown on the form: beside the field it is about, else above the form."""
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)


# ----------------------------------------------------------------------------------------------- queue


@permission_required(PERMISSION, raise_exception=True)
@require_GET
@never_cache
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    form = QueueFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    page = selectors.queue_page(selectors.queue_for(request.user, filters, now), request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    status_query = query.copy()
    status_query.pop("status", None)
    return render(
        request,
        "reports/staff/queue.html",
        {
            "form": form,
            "page": page,
            "rows": [(report, selectors.sla_state(report, now)) for report in page.reports],
            "counts": selectors.status_counts(request.user, filters, now),
            "current_status": filters.get("status") or "open",
            "query": query.urlencode(),
            "status_query": status_query.urlencode(),
        },
    )


# ----------------------------------------------------------------------------------------------- report


def _render(request: HttpRequest, report: Report, **forms: Any) -> HttpResponse:
    """The report's page. Logged as a view of personal data before anything is rendered."""
    services.report_personal_data_viewed(report=report, actor=signed_in_staff(request), request=request)
    is_compliment = report.report_type.kind == ReportType.Kind.COMPLIMENT
    officer = report.named_officer
    context = {
        "report": report,
        "title": report.reference,
        "sla": selectors.sla_state(report, timezone.now()),
        "timeline": selectors.report_timeline(report),
        "evidence": list(report.evidence.all()),
        "can_open_evidence": can_open_evidence(request.user, report),
        "can_share": is_compliment and officer is not None and bool(officer.email),
        "assign_form": forms.get("assign_form") or AssignForm(report=report, prefix="assign"),
        "status_form": forms.get("status_form") or StatusForm(report=report, prefix="status"),
        "note_form": forms.get("note_form") or NoteForm(prefix="note"),
        "message_form": forms.get("message_form") or MessageForm(prefix="message"),
        "erase_form": forms.get("erase_form") or EraseReporterForm(prefix="erase"),
        "can_erase": report.status == Report.Status.CLOSED
        and bool(report.reporter_name or report.reporter_email or report.reporter_phone),
        "errors": forms.get("errors", []),
    }
    return render(request, "reports/staff/report.html", context)


@permission_required(PERMISSION, raise_exception=True)
@require_GET
@never_cache
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _report(request, pk))


def _done(request: HttpRequest, report: Report, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("reports_staff:report", pk=report.pk)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def report_triage(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        services.report_triage(report=report, actor=signed_in_staff(request))
    except services.ReportInvalid as error:
        return _render(request, report, errors=list(error.errors.values()))
    return _done(request, report, f"{report.reference} triaged.")


def _form_action(
    request: HttpRequest, report: Report, form: Any, context_key: str, act: Callable[[dict[str, Any]], str]
) -> HttpResponse:
    """Run `act` (a service call that returns the success message) on a valid form; the form's errors, and what
    the service refused, go back beside the form with what was typed."""
    if form.is_valid():
        try:
            text = act(form.cleaned_data)
        except services.ReportInvalid as error:
            _form_errors(form, error)
        else:
            return _done(request, report, text)
    return _render(request, report, **{context_key: form})


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def report_assign(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = AssignForm(request.POST, report=report, prefix="assign")

    def act(data: dict[str, Any]) -> str:
        assignee, team = form.chosen_assignee(), data["team"]
        services.report_assign(report=report, actor=signed_in_staff(request), assignee=assignee, team=team)
        who = " and ".join(part for part in (assignee and user_name(assignee), team) if part)
        return f"Assigned to {who}." if who else "Nobody is assigned now."

    return _form_action(request, report, form, "assign_form", act)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = StatusForm(request.POST, report=report, prefix="status")

    def act(data: dict[str, Any]) -> str:
        services.report_status_set(
            report=report,
            actor=signed_in_staff(request),
            status=data["status"],
            outcome=data["outcome"],
            outcome_detail=data["outcome_detail"],
            public_note=data["public_note"],
        )
        return f"Status is now {Report.Status(data['status']).label.lower()}."

    return _form_action(request, report, form, "status_form", act)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def report_note(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)

    def act(data: dict[str, Any]) -> str:
        services.report_note_add(report=report, actor=signed_in_staff(request), body=data["body"])
        return "Note added."

    return _form_action(request, report, NoteForm(request.POST, prefix="note"), "note_form", act)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def report_message(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)

    def act(data: dict[str, Any]) -> str:
        services.report_message_to_reporter(report=report, actor=signed_in_staff(request), body=data["body"])
        return "Message sent to the reporter."

    return _form_action(request, report, MessageForm(request.POST, prefix="message"), "message_form", act)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def report_share(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        services.compliment_share(report=report, actor=signed_in_staff(request))
    except services.ReportInvalid as error:
        return _render(request, report, errors=list(error.errors.values()))
    return _done(request, report, "Compliment shared with the officer.")


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def report_erase_reporter(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)

    def act(data: dict[str, Any]) -> str:
        services.reporter_details_erase(report=report, actor=signed_in_staff(request), reason=data["reason"])
        return "The reporter's contact details were erased."

    return _form_action(request, report, EraseReporterForm(request.POST, prefix="erase"), "erase_form", act)
