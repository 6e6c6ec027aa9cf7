"""The pages of a report's journey: the type's questions (one topic per page), where it happened, which officer,
evidence, contact details, "Check your answers", and sending it.

Every page reads and writes the browser's draft (`journey.py`), so nothing typed is lost to a session timeout;
what was typed on a page that had errors is kept and shown again. A page asked for before the ones it
depends on are done sends the person to the first one not done.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from openbeat.audit.services import log_action
from openbeat.core.forms import GovukForm
from openbeat.core.journeys import initial_from_typed, typed_values
from openbeat.core.ratelimit import ratelimit
from openbeat.reports import forms, questions
from openbeat.reports.evidence import EvidenceRejected, evidence_stage, evidence_unstage
from openbeat.reports.journey import Journey, Step, draft_cookie_delete, draft_cookie_set, draft_get
from openbeat.reports.models import ReportDraft, ReportType
from openbeat.reports.services import ReportAlreadySent, ReportInvalid, report_submit
from openbeat.reports.views.public import TEMPLATES, active_type, sent_get, sent_set
from openbeat.staff.models import Officer

# Fields of a POST that are never kept as typed: the honeypot and the buttons.
NOT_TYPED = {"csrfmiddlewaretoken", "website", "action", "remove"}


def _begin(request: HttpRequest, slug: str, name: str) -> tuple[Journey, Step] | HttpResponse:
    report_type = active_type(slug)
    journey = Journey(report_type, draft_get(request, report_type))
    step = journey.step(name)
    if step is None:
        # Not asked for this type, or a question page that no longer exists.
        return redirect(journey.next_url())
    unfinished = journey.first_unfinished(before=step)
    if unfinished is not None:
        return redirect(unfinished.url)
    return journey, step


def _render(
    request: HttpRequest, journey: Journey, step: Step, form: GovukForm, template: str, **extra: Any
) -> HttpResponse:
    context = {
        "form": form,
        "journey": journey,
        "report_type": journey.report_type,
        "step": step,
        "back_url": journey.back_url(step),
        **extra,
    }
    return render(request, f"{TEMPLATES}/{template}.html", context)


def _saved(journey: Journey, response: HttpResponse) -> HttpResponse:
    draft_cookie_set(response, journey.save())
    return response


def _typed(request: HttpRequest, form: GovukForm) -> dict[str, list[str]]:
    return typed_values(request.POST, form.fields, not_typed=NOT_TYPED)


def _initial(form_class: type[GovukForm], typed: dict[str, list[str]]) -> dict[str, Any]:
    return initial_from_typed(form_class, typed)


def _invalid(request: HttpRequest, journey: Journey, step: Step, form: GovukForm, template: str) -> HttpResponse:
    journey.keep_typed(step, _typed(request, form))
    return _saved(journey, _render(request, journey, step, form, template))


# Question pages


@never_cache
@require_http_methods(["GET", "POST"])
def question_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    begun = _begin(request, slug, f"page-{number}")
    if isinstance(begun, HttpResponse):
        return begun
    journey, step = begun
    assert step.page is not None
    page_questions = list(step.page.questions)
    form_class = forms.questions_form(page_questions)
    kwargs: dict[str, Any] = {"report_type": journey.report_type, "answers": journey.answers}
    if request.method == "GET":
        typed = journey.typed(step)
        initial = (
            _initial(form_class, typed)
            if typed
            else {q.key: journey.answers[q.key] for q in page_questions if q.key in journey.answers}
        )
        return _render(request, journey, step, form_class(initial=initial, **kwargs), "question_page")
    form = form_class(request.POST, **kwargs)
    if not form.is_valid():
        return _invalid(request, journey, step, form, "question_page")
    merged = form.merged()
    # An answer changed so that a question is no longer asked: its old answer goes.
    journey.data["answers"] = questions.answers_clean(journey.report_type, merged)
    journey.data["pages_done"] = sorted({*journey.data.get("pages_done", []), number})
    journey.clear_typed(step)
    journey.forget()
    # An answer on this page may reveal another question on it: ask that before going on.
    now_asked = journey.step(step.name)
    revealed = (
        now_asked is not None and now_asked.page is not None and len(now_asked.page.questions) > len(page_questions)
    )
    return _saved(journey, redirect(step.url if revealed else journey.next_url()))


# Where it happened


def _location_context() -> dict[str, Any]:
    return {
        "geojson_url": reverse("areas:geojson"),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _location_post(request: HttpRequest, journey: Journey, step: Step) -> HttpResponse:
    required = journey.report_type.location == ReportType.Location.REQUIRED
    form = forms.LocationForm(request.POST, required=required)
    if not form.is_valid():
        journey.keep_typed(step, _typed(request, form))
        return _saved(journey, _render(request, journey, step, form, "location", **_location_context()))
    journey.data["location"] = form.location()
    journey.clear_typed(step)
    return _saved(journey, redirect(journey.next_url()))


# Every postcode typed is a database look-up a script could repeat: limited per client address.
_location_post_limited = ratelimit(key="report-postcode", limit=30, period=600)(_location_post)


@never_cache
@require_http_methods(["GET", "POST"])
def location(request: HttpRequest, slug: str) -> HttpResponse:
    begun = _begin(request, slug, "location")
    if isinstance(begun, HttpResponse):
        return begun
    journey, step = begun
    required = journey.report_type.location == ReportType.Location.REQUIRED
    if request.method == "POST":
        if request.POST.get("postcode", "").strip():
            return _location_post_limited(request, journey, step)
        return _location_post(request, journey, step)
    typed = journey.typed(step)
    initial = _initial(forms.LocationForm, typed) if typed else journey.data.get("location") or {}
    form = forms.LocationForm(initial=initial, required=required)
    return _render(request, journey, step, form, "location", **_location_context())


# Which officer


@never_cache
@require_http_methods(["GET", "POST"])
def officer(request: HttpRequest, slug: str) -> HttpResponse:
    begun = _begin(request, slug, "officer")
    if isinstance(begun, HttpResponse):
        return begun
    journey, step = begun
    if request.method == "GET":
        chosen = journey.data.get("officer")
        form = forms.OfficerForm(initial={"officer": str(chosen) if chosen else ""})
        return _render(request, journey, step, form, "officer")
    form = forms.OfficerForm(request.POST)
    if not form.is_valid():
        return _invalid(request, journey, step, form, "officer")
    journey.data["officer"] = form.cleaned_data["officer"]
    return _saved(journey, redirect(journey.next_url()))


# Evidence


def _staged(journey: Journey) -> list[dict[str, Any]]:
    return list(journey.data.get("evidence") or [])


def _draft_for_files(journey: Journey) -> ReportDraft:
    # Files are staged under the draft's key, so the draft must exist first.
    return journey.draft if journey.draft is not None else journey.save()


@ratelimit(key="report-evidence", limit=60, period=3600)
def _evidence_post(request: HttpRequest, journey: Journey, step: Step) -> HttpResponse:
    action = request.POST.get("action", "continue")
    remove = request.POST.get("remove", "")
    draft = _draft_for_files(journey)
    if remove:
        evidence_unstage(draft=draft, token=remove)
        journey.data["evidence"] = [f for f in _staged(journey) if f.get("token") != remove]
        return _saved(journey, redirect(step.url))
    form = forms.EvidenceForm(request.POST, request.FILES, optional=True)
    chosen = bool(request.FILES.get("file"))
    if chosen or action == "upload":
        if form.is_valid():
            try:
                staged = evidence_stage(draft=draft, upload=form.cleaned_data["file"])
            except EvidenceRejected as error:
                form.add_error("file", error.message)
            else:
                # Keyed by token: one entry per file even if evidence_stage noted it on the draft as well.
                journey.data["evidence"] = [
                    *[f for f in _staged(journey) if f.get("token") != staged.get("token")],
                    staged,
                ]
        if form.errors:
            return _saved(journey, _render(request, journey, step, form, "evidence", files=_staged(journey)))
        if action == "upload":
            return _saved(journey, redirect(step.url))
    journey.data["evidence_done"] = True
    return _saved(journey, redirect(journey.next_url()))


@never_cache
@require_http_methods(["GET", "POST"])
def evidence(request: HttpRequest, slug: str) -> HttpResponse:
    begun = _begin(request, slug, "evidence")
    if isinstance(begun, HttpResponse):
        return begun
    journey, step = begun
    if request.method == "POST":
        return _evidence_post(request, journey, step)
    return _render(request, journey, step, forms.EvidenceForm(optional=True), "evidence", files=_staged(journey))


# Contact details


@never_cache
@require_http_methods(["GET", "POST"])
def about_you(request: HttpRequest, slug: str) -> HttpResponse:
    begun = _begin(request, slug, "about_you")
    if isinstance(begun, HttpResponse):
        return begun
    journey, step = begun
    if request.method == "GET":
        typed = journey.typed(step)
        initial = _initial(forms.AboutYouForm, typed) if typed else journey.data.get("about") or {}
        return _render(request, journey, step, forms.AboutYouForm(initial=initial), "about_you")
    form = forms.AboutYouForm(request.POST)
    if not form.is_valid():
        return _invalid(request, journey, step, form, "about_you")
    data = form.cleaned_data
    journey.data["about"] = {"name": data["name"].strip(), "email": data["email"], "phone": data["phone"]}
    if form.is_bot:
        journey.data["bot"] = True
    journey.clear_typed(step)
    return _saved(journey, redirect(journey.next_url()))


# Check your answers, and sending the report


def _rows(journey: Journey) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for item in questions.answers_display(journey.report_type, journey.answers):
        page = journey.page_for_question(item["key"])
        values = item["answer"] if isinstance(item["answer"], list) else str(item["answer"]).splitlines()
        rows.append({"key": item["label"], "values": values or ["Not answered"], "url": page.url if page else ""})
    data = journey.data
    if (step := journey.step("location")) is not None:
        place = data.get("location") or {}
        values = [v for v in (place.get("postcode"), place.get("address")) if v]
        if place.get("lat") is not None:
            values.append("A pin on the map")
        rows.append({"key": "Where", "values": values or ["Not given"], "url": step.url})
    if (step := journey.step("officer")) is not None:
        officer_id = data.get("officer")
        chosen = Officer.objects.filter(pk=officer_id).first() if officer_id else None
        rows.append(
            {"key": "Officer", "values": [str(chosen) if chosen else "The neighbourhood team"], "url": step.url}
        )
    if (step := journey.step("evidence")) is not None:
        names = [f.get("name", "") for f in data.get("evidence") or []]
        rows.append({"key": "Files", "values": names or ["None"], "url": step.url})
    about = data.get("about") or {}
    url = journey.step("about_you").url  # type: ignore[union-attr]
    rows += [
        {"key": "Name", "values": [about.get("name", "")], "url": url},
        {"key": "Email address", "values": [about.get("email", "")], "url": url},
        {"key": "Phone number", "values": [about.get("phone") or "Not given"], "url": url},
    ]
    return rows


def _check_page(request: HttpRequest, journey: Journey, form: GovukForm | None = None) -> HttpResponse:
    context = {
        "journey": journey,
        "report_type": journey.report_type,
        "rows": _rows(journey),
        "back_url": journey.back_url(None),
        "form": form,
    }
    return render(request, f"{TEMPLATES}/check.html", context, status=400 if form is not None else 200)


def _draft_email(request: HttpRequest) -> str | None:
    journey = getattr(request, "_report_journey", None)
    if journey is not None and journey.draft is not None:
        return (journey.draft.data.get("about") or {}).get("email") or None
    match = request.resolver_match
    report_type = ReportType.objects.filter(slug=match.kwargs.get("slug") if match else "").first()
    draft = draft_get(request, report_type) if report_type is not None else None
    return ((draft.data.get("about") or {}).get("email") or None) if draft is not None else None


def _sent(request: HttpRequest, report_type: ReportType, reference: str, email: str) -> HttpResponse:
    response = redirect("reports:sent", slug=report_type.slug)
    sent_set(response, {"slug": report_type.slug, "reference": reference, "email": email})
    draft_cookie_delete(response, report_type)
    return response


def _submit(request: HttpRequest, journey: Journey) -> HttpResponse:
    report_type, data, draft = journey.report_type, journey.data, journey.draft
    assert draft is not None
    about = data["about"]
    if data.get("bot"):
        # The honeypot was filled in: answer as if sent, send nothing.
        draft.delete()
        log_action("reports.report.honeypot", actor=None, data={"type": report_type.slug}, request=request)
        return _sent(request, report_type, "", "")
    place = data.get("location") or {}
    officer_id = data.get("officer")
    try:
        report = report_submit(
            report_type=report_type,
            answers=data.get("answers", {}),
            reporter_name=about["name"],
            reporter_email=about["email"],
            reporter_phone=about.get("phone", ""),
            postcode=place.get("postcode", ""),
            address=place.get("address", ""),
            lat=place.get("lat"),
            lon=place.get("lon"),
            named_officer=Officer.objects.filter(pk=officer_id).first() if officer_id else None,
            source="web",
            staged_evidence=data.get("evidence") or (),
            draft=draft,
        )
    except ReportAlreadySent:
        return redirect("reports:sent", slug=report_type.slug)
    except ReportInvalid as error:
        # Nothing was sent and the draft is as it was.
        form = GovukForm(data={})
        form.is_valid()
        for message in error.errors.values():
            form.add_error(None, message)
        return _check_page(request, journey, form)
    return _sent(request, report_type, report.reference, about["email"])


def _submit_limit(request: HttpRequest, journey: Journey) -> HttpResponse:
    limit = getattr(settings, "REPORTS_SUBMIT_LIMIT", 10)
    limited = ratelimit(key="report-submit", limit=limit, period=3600, by=_draft_email)(_submit)
    return limited(request, journey)


@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, slug: str) -> HttpResponse:
    report_type = active_type(slug)
    journey = Journey(report_type, draft_get(request, report_type))
    if journey.draft is None and sent_get(request).get("slug") == slug:
        # Sent already (a second click, or Back after sending).
        return redirect("reports:sent", slug=slug)
    unfinished = journey.first_unfinished()
    if unfinished is not None:
        return redirect(unfinished.url)
    if request.method == "POST":
        request._report_journey = journey  # type: ignore[attr-defined]  # the rate limit's email, without a re-read
        return _submit_limit(request, journey)
    return _check_page(request, journey)
