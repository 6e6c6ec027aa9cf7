"""The public survey: a start page, one page per shown section (GOV.UK question pages), "Check your answers",
submit, thank you; and the privacy notice. The answers so far live in the session (keyed by version) with the
client id the response will carry, so a double-click or a resubmitted "Check your answers" page is one response.

Which section comes next is worked out from the answers (logic.visible_sections), never from where the person has
been: a change made from "Check your answers" that brings up a new section asks it before coming back.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openbeat.core.ratelimit import ratelimit
from openbeat.surveys import invitations, logic, selectors, services
from openbeat.surveys.forms import SectionForm, display_answer
from openbeat.surveys.models import Channel, Response, Survey, SurveyVersion

TEMPLATES = "surveys"


def _open(slug: str) -> tuple[Survey, SurveyVersion]:
    if "\x00" in slug:
        raise Http404
    found = selectors.open_survey(slug)
    if found is None:
        raise Http404
    return found


def _draft(request: HttpRequest, version: SurveyVersion) -> dict[str, Any]:
    key = f"survey:{version.pk}"
    draft = request.session.get(key)
    if not isinstance(draft, dict) or "client_id" not in draft:
        draft = {"client_id": str(uuid.uuid4()), "answers": {}, "done": []}
        request.session[key] = draft
    return draft


def _save(request: HttpRequest, version: SurveyVersion, draft: dict[str, Any]) -> None:
    request.session[f"survey:{version.pk}"] = draft
    request.session.modified = True


def _next_url(survey: Survey, version: SurveyVersion, draft: dict[str, Any]) -> str:
    """The first shown section not yet answered, else "Check your answers"."""
    for section in logic.visible_sections(version.definition, draft["answers"]):
        if section["id"] not in draft["done"]:
            return reverse("surveys:section", kwargs={"slug": survey.slug, "section": section["id"]})
    return reverse("surveys:check", kwargs={"slug": survey.slug})


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(request, f"{TEMPLATES}/closed.html", {"survey": survey})


@require_GET
def start(request: HttpRequest, slug: str) -> HttpResponse:
    survey, version = _open(slug)
    if survey.state == Survey.State.CLOSED:
        return _closed(request, survey)
    first = logic.visible_sections(version.definition, {})
    start_url = reverse("surveys:section", kwargs={"slug": survey.slug, "section": first[0]["id"]}) if first else ""
    return render(
        request, f"{TEMPLATES}/start.html", {"survey": survey, "definition": version.definition, "start_url": start_url}
    )


@require_GET
def privacy(request: HttpRequest, slug: str) -> HttpResponse:
    survey, version = _open(slug)
    return render(request, f"{TEMPLATES}/privacy.html", {"survey": survey, "definition": version.definition})


@never_cache
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, slug: str, section: int) -> HttpResponse:
    survey, version = _open(slug)
    if survey.state == Survey.State.CLOSED:
        return _closed(request, survey)
    draft = _draft(request, version)
    shown = {s["id"]: s for s in logic.visible_sections(version.definition, draft["answers"])}
    if section not in shown:
        # Not (or no longer) asked given the answers so far: go on to the page that is.
        return redirect(_next_url(survey, version, draft))
    current = shown[section]
    if request.method == "POST":
        form = SectionForm(request.POST, questions=current["questions"])
        if form.is_valid():
            for question in current["questions"]:
                value, _ = logic.question_errors(question, form.raw_answers()[str(question["id"])])
                key = str(question["id"])
                if value is None:
                    draft["answers"].pop(key, None)
                else:
                    draft["answers"][key] = value
            if section not in draft["done"]:
                draft["done"].append(section)
            _save(request, version, draft)
            return redirect(_next_url(survey, version, draft))
    else:
        form = SectionForm(
            questions=current["questions"], initial=SectionForm.initial_for(current["questions"], draft["answers"])
        )
    sections = list(shown)
    return render(
        request,
        f"{TEMPLATES}/section.html",
        {
            "survey": survey,
            "section": current,
            "form": form,
            "number": sections.index(section) + 1,
            "count": len(sections),
            "back_url": _back_url(survey, sections, section),
        },
    )


def _back_url(survey: Survey, sections: list[int], section: int) -> str:
    index = sections.index(section)
    if index == 0:
        return reverse("surveys:start", kwargs={"slug": survey.slug})
    return reverse("surveys:section", kwargs={"slug": survey.slug, "section": sections[index - 1]})


@ratelimit(key="surveys-submit", limit=getattr(settings, "SURVEYS_SUBMIT_LIMIT", 20), period=3600)
def _submit(request: HttpRequest, survey: Survey, version: SurveyVersion, draft: dict[str, Any]) -> HttpResponse:
    invited = _invitation(request, survey)
    try:
        services.response_submit(
            client_id=uuid.UUID(draft["client_id"]),
            version=version,
            answers=draft["answers"],
            channel=Channel.IN_THE_KNOW if invited else Channel.PUBLIC,
            recipient_key=invited.get("key", ""),
            neighbourhood_id=invited.get("neighbourhood"),
        )
    except services.AlreadyAnswered:
        request.session.pop(f"survey:{version.pk}", None)
        return render(request, f"{TEMPLATES}/already_answered.html", {"survey": survey})
    except services.AnswersInvalid:
        # Something no longer fits (a required question left unanswered): ask the first page that needs it.
        _, errors = logic.validate(version.definition, draft["answers"])
        wanting = {int(key) for key in errors if key}
        for section in logic.visible_sections(version.definition, draft["answers"]):
            if any(q["id"] in wanting for q in section["questions"]) and section["id"] in draft["done"]:
                draft["done"].remove(section["id"])
        _save(request, version, draft)
        return redirect(_next_url(survey, version, draft))
    request.session.pop(f"survey:{version.pk}", None)
    return redirect("surveys:done", slug=survey.slug)


@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, slug: str) -> HttpResponse:
    survey, version = _open(slug)
    if survey.state == Survey.State.CLOSED:
        return _closed(request, survey)
    draft = _draft(request, version)
    next_url = _next_url(survey, version, draft)
    if next_url != reverse("surveys:check", kwargs={"slug": survey.slug}):
        return redirect(next_url)
    if request.method == "POST":
        return _submit(request, survey, version, draft)
    sections = [
        {
            "section": shown,
            "rows": [
                {"question": q, "answer": display_answer(q, draft["answers"].get(str(q["id"])))}
                for q in shown["questions"]
            ],
            "change_url": reverse("surveys:section", kwargs={"slug": survey.slug, "section": shown["id"]}),
        }
        for shown in logic.visible_sections(version.definition, draft["answers"])
    ]
    return render(request, f"{TEMPLATES}/check.html", {"survey": survey, "sections": sections})


@require_GET
def done(request: HttpRequest, slug: str) -> HttpResponse:
    survey, _ = _open(slug)
    return render(request, f"{TEMPLATES}/done.html", {"survey": survey})


# In the Know's personal links (surveys.invitations)


def _invitation_key(survey: Survey) -> str:
    return f"survey-invitation:{survey.pk}"


def _invitation(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    """The personal link this browser came by for `survey` ({} if none): its recipient key and neighbourhood."""
    found = request.session.get(_invitation_key(survey))
    return found if isinstance(found, dict) and found.get("key") else {}


def _problem(request: HttpRequest, heading: str, message: str, status: int) -> HttpResponse:
    return render(
        request, f"{TEMPLATES}/invitation_problem.html", {"heading": heading, "message": message}, status=status
    )


@never_cache
@require_GET
def invited(request: HttpRequest, signed: str) -> HttpResponse:
    """A recipient's link: remember it for this survey's answers (channel In the Know, one response per
    recipient), then start the survey. A preview link only says what it is; a bad or old link says so."""
    try:
        invitation = invitations.invitation_read(signed)
    except invitations.InvitationExpired as error:
        return _problem(request, "This link has expired", error.message, 410)
    except invitations.InvitationInvalid as error:
        return _problem(request, "This link is not valid", error.message, 400)
    survey = Survey.objects.select_related("current_version").filter(pk=invitation.survey_id).first()
    if survey is None or survey.current_version is None or survey.state == Survey.State.DRAFT:
        return _problem(request, "This link is not valid", invitations.InvitationInvalid.message, 404)
    if invitation.is_preview:
        return render(request, f"{TEMPLATES}/invitation_preview.html", {"survey": survey})
    if survey.state == Survey.State.CLOSED:
        return _closed(request, survey)
    if Response.objects.filter(survey=survey, recipient_key=invitation.recipient_key).exists():
        return render(request, f"{TEMPLATES}/already_answered.html", {"survey": survey})
    request.session[_invitation_key(survey)] = {
        "key": invitation.recipient_key,
        "neighbourhood": invitation.neighbourhood_id,
    }
    return redirect("surveys:start", slug=survey.slug)
