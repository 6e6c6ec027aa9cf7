"""The back office's "Ask us anonymously" queue (urgent first), a question's page (answer privately or publicly,
reject, take off the site) and the safeguarding settings (administrators).

Refused without the permission or outside its scope (PermissionDenied: Wagtail sends signed-in staff to the
dashboard). Every write goes through `youth.services`, which checks again and writes the audit log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages

from openbeat.core.users import signed_in_staff
from openbeat.youth import selectors, services
from openbeat.youth.forms import AnswerForm, SafeguardingSettingsForm
from openbeat.youth.models import AnonymousQuestion, SafeguardingSettings
from openbeat.youth.words import DEFAULTS

T = "youth/staff"


def _answerer(request: HttpRequest) -> None:
    if not services.can_answer(request.user):
        raise PermissionDenied("You cannot answer young people's questions")


def question_list(request: HttpRequest) -> HttpResponse:
    _answerer(request)
    return render(request, f"{T}/list.html", selectors.staff_queue())


def _errors(form: Any, error: services.YouthInvalid) -> None:
    for name, message in error.errors.items():
        form.add_error(name if name in form.fields else None, message)


def _detail(request: HttpRequest, question: AnonymousQuestion, form: AnswerForm, status: int = 200) -> HttpResponse:
    alerts = list(question.alerts.all())
    return render(request, f"{T}/question.html", {"question": question, "form": form, "alerts": alerts}, status=status)


@require_http_methods(["GET", "POST"])
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _answerer(request)
    question = get_object_or_404(AnonymousQuestion, pk=pk)
    if request.method != "POST":
        initial = {
            "visibility": "public" if question.is_public else "private",
            "public_text": question.public_text or question.text,
            "answer": question.answer,
        }
        return _detail(request, question, AnswerForm(initial=initial))
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.question_answer(
                question=question,
                actor=signed_in_staff(request),
                answer=data["answer"],
                public=data["visibility"] == "public",
                public_text=data["public_text"],
                request=request,
            )
        except services.YouthInvalid as error:
            _errors(form, error)
        else:
            messages.success(request, "Answer published" if data["visibility"] == "public" else "Answer saved")
            return redirect("youth_staff:list")
    return _detail(request, question, form, status=400)


@require_POST
def question_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    _answerer(request)
    question = get_object_or_404(AnonymousQuestion, pk=pk)
    action = {"reject": services.question_reject, "unpublish": services.question_unpublish}.get(verb)
    if action is None:
        raise PermissionDenied
    try:
        action(question=question, actor=signed_in_staff(request), request=request)
    except services.YouthStateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Question rejected" if verb == "reject" else "Taken off the site")
    return redirect("youth_staff:list")


@require_http_methods(["GET", "POST"])
def safeguarding_settings(request: HttpRequest) -> HttpResponse:
    if not services.can_change_settings(request.user):
        raise PermissionDenied("You cannot change the safeguarding settings")
    row = SafeguardingSettings.objects.first()
    if request.method == "POST":
        form = SafeguardingSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.safeguarding_settings_update(
                    actor=signed_in_staff(request),
                    emails=form.cleaned_data["emails"],
                    words_text=form.cleaned_data["words"],
                    request=request,
                )
            except services.YouthInvalid as error:
                _errors(form, error)
            else:
                messages.success(request, "Safeguarding settings saved")
                return redirect("youth_staff:settings")
        status = 400
    else:
        form = SafeguardingSettingsForm(
            initial={"emails": row.emails if row else "", "words": row.words if row else ""}
        )
        status = 200
    context = {"form": form, "defaults": DEFAULTS, "fallback_emails": services.safeguarding_emails() if not row else []}
    return render(request, f"{T}/settings.html", context, status=status)
