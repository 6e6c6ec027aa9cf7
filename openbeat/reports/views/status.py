"""The reporter's status pages: ask for a link with the reference and email, sign in with it, then see the
report's status and its messages, reply, and add files. No password: see `status_tokens.py`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openbeat.core.forms import GovukForm
from openbeat.core.links import link_used
from openbeat.core.ratelimit import ratelimit
from openbeat.reports import forms
from openbeat.reports.evidence import EvidenceRejected, evidence_add
from openbeat.reports.models import Report, ReportEvent
from openbeat.reports.services import report_reply_from_reporter
from openbeat.reports.status_tokens import (
    TokenError,
    TokenUsed,
    lifetime_text,
    status_link_request,
    status_report,
    status_sign_in,
    status_sign_out,
    status_token_read,
    status_token_use,
)
from openbeat.subscriptions.views.common import link_error

TEMPLATES = "reports/public/status"

# What the reporter reads for each status: plain words, not the queue's.
STATUS_TEXT: dict[str, str] = {
    Report.Status.NEW: "Received: we have not looked at it yet",
    Report.Status.TRIAGED: "Being looked at",
    Report.Status.ASSIGNED: "With an officer or team",
    Report.Status.AWAITING_REPORTER: "Waiting for a reply from you",
    Report.Status.CLOSED: "Closed",
}


def _typed_email(request: HttpRequest) -> str | None:
    return request.POST.get("email", "").strip() or None


@ratelimit(key="report-status-link", limit=5, period=900, by=_typed_email)
def _link_send(request: HttpRequest) -> HttpResponse:
    form = forms.StatusRequestForm(request.POST)
    if not form.is_valid():
        return render(request, f"{TEMPLATES}/start.html", {"form": form})
    status_link_request(reference=form.cleaned_data["reference"], email=form.cleaned_data["email"])
    # The same answer whether or not they matched, so the form tells nobody whose report is whose.
    return redirect("reports:status_sent")


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _link_send(request)
    return render(
        request,
        f"{TEMPLATES}/start.html",
        {"form": forms.StatusRequestForm(), "signed_out": "signed-out" in request.GET},
    )


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, f"{TEMPLATES}/sent.html", {"lifetime": lifetime_text()})


@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button, so a mail scanner that follows the link signs nobody in (nor uses it up)."""
    try:
        if request.method == "POST":
            report = status_token_use(token)
        elif link_used(token):
            raise TokenUsed()
        else:
            report = status_token_read(token)
    except TokenError as error:
        return link_error(request, error, template=f"{TEMPLATES}/link_error.html")
    if request.method == "POST":
        status_sign_in(request, report)
        # Redirect, so the token leaves the address bar and the browser history.
        return redirect("reports:status")
    return render(request, f"{TEMPLATES}/link.html")


ReportView = Callable[..., HttpResponse]


def reporter_required(view: ReportView) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        report = status_report(request)
        if report is None:
            return redirect(reverse("reports:status_start") + "?signed-out=1")
        return view(request, report, *args, **kwargs)

    # Personal data: never kept by a browser's or a proxy's cache.
    return never_cache(wrapped)


def _timeline(report: Report) -> list[dict[str, Any]]:
    shown = [
        ReportEvent.Kind.TO_REPORTER,
        ReportEvent.Kind.FROM_REPORTER,
        ReportEvent.Kind.STATUS,
        ReportEvent.Kind.EVIDENCE,
    ]
    items = []
    for event in report.events.filter(kind__in=shown).order_by("created_at", "id"):
        if event.kind == ReportEvent.Kind.TO_REPORTER:
            title, body = "Message from us", event.body
        elif event.kind == ReportEvent.Kind.FROM_REPORTER:
            title, body = "Your message", event.body
        elif event.kind == ReportEvent.Kind.EVIDENCE:
            title, body = "File added", event.body.removeprefix("File added: ")
        else:
            # A status change's body is the public note written with it, never an internal one.
            title, body = f"Status: {STATUS_TEXT.get(event.data.get('new', ''), 'updated')}", event.body
        items.append({"title": title, "body": body, "at": event.created_at})
    return items


def _status_page(
    request: HttpRequest,
    report: Report,
    *,
    reply_form: GovukForm | None = None,
    evidence_form: GovukForm | None = None,
) -> HttpResponse:
    report_type = report.report_type
    can_add = report.is_open and report_type.allows_evidence
    context = {
        "report": report,
        "report_type": report_type,
        "status_text": STATUS_TEXT.get(report.status, report.get_status_display()),
        "outcome": report.get_outcome_display() if report.outcome else "",
        "timeline": _timeline(report),
        "reply_form": reply_form or forms.ReplyForm(),
        "evidence_form": (evidence_form or forms.EvidenceForm()) if can_add else None,
        # The page's error summary lists whichever form was sent with errors.
        "form": reply_form if reply_form is not None else evidence_form,
    }
    return render(request, f"{TEMPLATES}/report.html", context)


@reporter_required
@require_GET
def report(request: HttpRequest, report: Report) -> HttpResponse:
    return _status_page(request, report)


@reporter_required
@require_POST
@ratelimit(key="report-reply", limit=20, period=3600)
def reply(request: HttpRequest, report: Report) -> HttpResponse:
    if not report.is_open:
        return redirect("reports:status")
    form = forms.ReplyForm(request.POST)
    if not form.is_valid():
        return _status_page(request, report, reply_form=form)
    report_reply_from_reporter(report=report, body=form.cleaned_data["body"].strip())
    messages.success(request, "Your message has been sent.")
    return redirect("reports:status")


@reporter_required
@require_POST
@ratelimit(key="report-evidence", limit=60, period=3600)
def evidence(request: HttpRequest, report: Report) -> HttpResponse:
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence_add(report=report, upload=form.cleaned_data["file"], from_reporter=True)
        except EvidenceRejected as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, "Your file has been added.")
            return redirect("reports:status")
    return _status_page(request, report, evidence_form=form)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    status_sign_out(request)
    return redirect("reports:index")
