"""The back office's PACT meetings: the list of PACT events in the user's scope (set one up), the moderator's
console (approve, reject with a reason, hide, merge, answer, pin the current question, and for flagged questions:
make a report or send the resident how to report), the meeting's settings, the record after it (minutes,
attendance, actions agreed -> priorities) and the force's word lists.

A meeting outside the user's scope is refused (PermissionDenied: Wagtail sends signed-in staff to the dashboard).
Every write goes through `meetings.services`, which checks again and writes the audit log.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages

from openbeat.areas.models import Neighbourhood
from openbeat.core.users import signed_in_staff
from openbeat.meetings import live, selectors, services, words
from openbeat.meetings.forms import (
    ActionForm,
    AnswerForm,
    MeetingForm,
    MergeForm,
    RecordForm,
    RejectForm,
    ToReportForm,
    WordListForm,
)
from openbeat.meetings.models import Meeting, Question, WordList
from openbeat.priorities.models import Priority
from openbeat.reports.models import ReportType
from openbeat.staff.scope import scope_for

PERMISSION = services.PERMISSION
T = "meetings/staff"


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(
        Meeting.objects.select_related("event", "event__neighbourhood", "event__division"), pk=pk
    )
    if not services.can_moderate(request.user, meeting):
        raise PermissionDenied("You cannot moderate this meeting")
    return meeting


def _question(request: HttpRequest, pk: int, qpk: int) -> Question:
    meeting = _meeting(request, pk)
    return get_object_or_404(Question.objects.select_related("meeting__event"), pk=qpk, meeting=meeting)


def _errors(form: Any, error: services.MeetingInvalid) -> None:
    for name, message in error.errors.items():
        form.add_error(name if name in form.fields else None, message)


@permission_required(PERMISSION, raise_exception=True)
def meeting_list(request: HttpRequest) -> HttpResponse:
    events = selectors.meetings_for(request.user).order_by("-starts_at")[:200]
    return render(request, f"{T}/list.html", {"events": events})


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def meeting_setup(request: HttpRequest, event_pk: int) -> HttpResponse:
    event = get_object_or_404(selectors.meetings_for(request.user), pk=event_pk)
    try:
        meeting = services.meeting_create(event=event, actor=signed_in_staff(request), request=request)
    except services.MeetingStateError as error:
        messages.error(request, error.message)
        return redirect("meetings_staff:list")
    return redirect("meetings_staff:console", pk=meeting.pk)


def _console(request: HttpRequest, meeting: Meeting, **forms: Any) -> HttpResponse:
    queue = selectors.moderation_queue(meeting)
    return render(
        request,
        f"{T}/console.html",
        {
            "meeting": meeting,
            "event": meeting.event,
            "queue": queue,
            "to_moderate": queue["awaiting"] + queue["held"],
            "flagged": queue["flagged"],
            "approved": sorted(queue["approved"], key=lambda q: (-q.votes_count, q.created_at)),
            "hidden": queue["hidden"],
            "report_types": ReportType.objects.filter(active=True),
            "peak": live.watchers_peak(meeting),
            **forms,
        },
        status=400 if forms else 200,
    )


@permission_required(PERMISSION, raise_exception=True)
def meeting_console(request: HttpRequest, pk: int) -> HttpResponse:
    return _console(request, _meeting(request, pk))


def _form_for(verb: str, request: HttpRequest, question: Question) -> Any:
    if verb == "merge":
        return MergeForm(request.POST, question=question)
    if verb == "report":
        return ToReportForm(request.POST, report_types=ReportType.objects.filter(active=True))
    return (AnswerForm if verb == "answer" else RejectForm)(request.POST)


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def question_act(request: HttpRequest, pk: int, qpk: int, verb: str) -> HttpResponse:
    question = _question(request, pk, qpk)
    meeting = question.meeting
    actor = signed_in_staff(request)
    back = redirect(f"{request.path.rsplit('/questions/', 1)[0]}/#question-{question.pk}")
    try:
        if verb == "approve":
            services.question_approve(question=question, actor=actor, request=request)
            messages.success(request, "Question approved: it is now public.")
        elif verb == "hide":
            services.question_hide(question=question, actor=actor, request=request)
            messages.success(request, "Question hidden.")
        elif verb == "pin":
            services.question_pin(meeting=meeting, question=question, actor=actor, request=request)
            messages.success(request, "This is now the question being discussed.")
        elif verb == "unpin":
            services.question_pin(meeting=meeting, question=None, actor=actor, request=request)
        elif verb == "reject":
            form: Any = RejectForm(request.POST)
            if not form.is_valid():
                return _console(request, meeting, reject_form=form, form_question=question)
            services.question_reject(
                question=question, actor=actor, reason=form.cleaned_data["reason"], request=request
            )
            messages.success(request, "Question rejected: the resident sees the reason.")
        elif verb == "answer":
            form = AnswerForm(request.POST)
            if not form.is_valid():
                return _console(request, meeting, answer_form=form, form_question=question)
            services.question_answer(
                question=question, actor=actor, answer=form.cleaned_data["answer"], request=request
            )
            messages.success(request, "Answer posted: the live page shows it.")
        elif verb == "merge":
            form = MergeForm(request.POST, question=question)
            if not form.is_valid():
                return _console(request, meeting, merge_form=form, form_question=question)
            into = get_object_or_404(Question, pk=form.cleaned_data["into"], meeting=meeting)
            services.question_merge(question=question, into=into, actor=actor, request=request)
            messages.success(request, "Questions merged: their votes are combined.")
        elif verb == "report":
            form = ToReportForm(request.POST, report_types=ReportType.objects.filter(active=True))
            if not form.is_valid():
                return _console(request, meeting, report_form=form, form_question=question)
            report_type = get_object_or_404(ReportType, pk=form.cleaned_data["report_type"], active=True)
            report = services.question_to_report(
                question=question, actor=actor, report_type=report_type, request=request
            )
            messages.success(request, f"Report {report.reference} made: the resident has been emailed its reference.")
        elif verb == "route":
            services.question_send_route(question=question, actor=actor, request=request)
            messages.success(request, "The resident has been emailed how to report.")
        else:
            return HttpResponse(status=404)
    except services.MeetingInvalid as error:
        form = _form_for(verb, request, question)
        form.is_valid()
        _errors(form, error)
        return _console(request, meeting, **{f"{verb}_form": form, "form_question": question})
    except services.MeetingStateError as error:
        messages.error(request, error.message)
    return back


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    initial = {
        "agenda": "\n".join(item.title for item in meeting.agenda.all()),
        "questions_open": meeting.questions_open,
        "stream_url": meeting.stream_url,
        "stream_title": meeting.stream_title,
        "captions_url": meeting.captions_url,
        "registered_only": meeting.registered_only,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update(
                meeting=meeting,
                actor=signed_in_staff(request),
                agenda=data["agenda"].splitlines(),
                stream_url=data["stream_url"],
                stream_title=data["stream_title"],
                captions_url=data["captions_url"],
                registered_only=data["registered_only"],
                questions_open=data["questions_open"],
                request=request,
            )
        except services.MeetingInvalid as error:
            _errors(form, error)
        else:
            messages.success(request, "Meeting saved.")
            return redirect("meetings_staff:console", pk=meeting.pk)
    return render(request, f"{T}/form.html", {"meeting": meeting, "form": form, "title": "Meeting settings"})


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    initial = {
        "minutes": meeting.minutes,
        "attended_in_person": meeting.attended_in_person,
        "attended_online": meeting.attended_online
        if meeting.attended_online is not None
        else live.watchers_peak(meeting),
        "held": meeting.held or meeting.minutes == "",
    }
    form = RecordForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_record(
                meeting=meeting,
                actor=signed_in_staff(request),
                minutes=data["minutes"],
                attended_in_person=data["attended_in_person"],
                attended_online=data["attended_online"],
                held=data["held"],
                request=request,
            )
        except services.MeetingInvalid as error:
            _errors(form, error)
        else:
            messages.success(request, "Minutes and attendance saved.")
            return redirect("meetings_staff:console", pk=meeting.pk)
    return render(request, f"{T}/form.html", {"meeting": meeting, "form": form, "title": "Minutes and attendance"})


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    scope = scope_for(request.user)
    neighbourhoods = scope.filter(Neighbourhood.objects.all(), "division").order_by("name")
    priorities = (
        scope.filter(Priority.objects.select_related("neighbourhood"), "neighbourhood__division")
        .exclude(status="done")
        .order_by("neighbourhood__name", "-date_set")[:300]
    )
    form = ActionForm(request.POST or None, priorities=priorities, neighbourhoods=neighbourhoods)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        priority = priorities.model.objects.filter(pk=data["priority"]).first() if data["priority"] else None
        neighbourhood = neighbourhoods.filter(pk=data["neighbourhood"]).first() if data["neighbourhood"] else None
        try:
            services.action_add(
                meeting=meeting,
                actor=signed_in_staff(request),
                summary=data["summary"],
                priority=priority,
                neighbourhood=neighbourhood,
                action=data["action"],
                publish=data["publish"],
                request=request,
            )
        except services.MeetingInvalid as error:
            _errors(form, error)
        except PermissionDenied:
            form.add_error(None, "You cannot manage that neighbourhood's priorities")
        else:
            messages.success(request, "Action saved to the neighbourhood's priorities.")
            return redirect("meetings_staff:console", pk=meeting.pk)
    return render(request, f"{T}/form.html", {"meeting": meeting, "form": form, "title": "Add an action agreed"})


@permission_required("meetings.change_wordlist", raise_exception=True)
@require_http_methods(["GET", "POST"])
def word_lists(request: HttpRequest) -> HttpResponse:
    initial = {kind: "\n".join(words.entries(kind)) for kind in WordList.Kind.values}
    form = WordListForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        for kind in WordList.Kind.values:
            services.word_list_save(
                kind=kind, words_text=form.cleaned_data[kind], actor=signed_in_staff(request), request=request
            )
        messages.success(request, "Word lists saved.")
        return redirect("meetings_staff:words")
    return render(request, f"{T}/form.html", {"meeting": None, "form": form, "title": "Word lists for questions"})
