"""Public PACT meeting pages. A resident is known on this site only through their session, after opening an
emailed link (`confirm`): the session names their Participant per meeting, so they see their own questions
awaiting approval (or rejected, with the reason), vote in one click, and, when registered, the stream link.

Visitors without a session get pages with no forms and no personal parts, which the public page cache may keep.
"""

from __future__ import annotations

import contextlib
import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openbeat.core.ratelimit import ratelimit
from openbeat.core.tokens import LinkExpired, LinkInvalid, LinkUsed
from openbeat.meetings import live as live_cache
from openbeat.meetings import selectors, services
from openbeat.meetings.forms import EmailForm, QuestionForm
from openbeat.meetings.models import Meeting, Participant, Question

SESSION_KEY = "meetings"
T = "meetings"


def _meeting(public_id: uuid.UUID) -> Meeting:
    meeting = selectors.public_meeting(public_id)
    if meeting is None:
        raise Http404
    return meeting


def _participant(request: HttpRequest, meeting: Meeting) -> Participant | None:
    """The verified resident of this meeting in this session, if any (no session, no query)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    public_id = request.session.get(SESSION_KEY, {}).get(str(meeting.pk))
    if not public_id:
        return None
    return Participant.objects.filter(public_id=public_id, meeting=meeting, verified_at__isnull=False).first()


def _remember(request: HttpRequest, participant: Participant) -> None:
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[str(participant.meeting_id)] = str(participant.public_id)
    request.session[SESSION_KEY] = kept


def _typed_email(request: HttpRequest) -> str | None:
    return request.POST.get("email", "").strip()[:254] or None


def _may_watch(meeting: Meeting, participant: Participant | None) -> bool:
    return bool(meeting.stream_url) and (
        not meeting.registered_only or (participant is not None and participant.registered_at is not None)
    )


@require_GET
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    meeting = _meeting(public_id)
    participant = _participant(request, meeting)
    return render(
        request,
        f"{T}/detail.html",
        {
            "meeting": meeting,
            "event": meeting.event,
            "agenda": list(meeting.agenda.all()),
            "questions": list(selectors.approved_questions(meeting)),
            "own": selectors.own_questions(meeting, participant),
            "voted": selectors.voted_ids(participant),
            "participant": participant,
            "may_watch": _may_watch(meeting, participant),
            "actions": list(meeting.actions.select_related("priority__neighbourhood")),
        },
    )


def _ask_page(request: HttpRequest, meeting: Meeting, form: QuestionForm) -> HttpResponse:
    return render(request, f"{T}/ask.html", {"meeting": meeting, "event": meeting.event, "form": form})


@ratelimit(key="meetings-ask", limit=10, period=3600, by=_typed_email)
def _ask_submit(request: HttpRequest, meeting: Meeting, participant: Participant | None) -> HttpResponse:
    form = QuestionForm(request.POST, verified=participant is not None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.question_submit(
                meeting=meeting,
                display_name=data["display_name"],
                text=data["text"],
                email=data.get("email", ""),
                participant=participant,
                request=request,
            )
        except services.MeetingInvalid as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
        except services.MeetingStateError as error:
            form.add_error(None, error.message)
        else:
            if participant is not None:
                return redirect(f"{meeting.get_absolute_url()}#your-questions")
            return redirect("meetings:sent", public_id=meeting.event.public_id)
    return _ask_page(request, meeting, form)


@never_cache
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    meeting = _meeting(public_id)
    participant = _participant(request, meeting)
    if request.method == "POST":
        return _ask_submit(request, meeting, participant)
    return _ask_page(request, meeting, QuestionForm(verified=participant is not None))


@require_GET
def sent(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    meeting = _meeting(public_id)
    return render(
        request, f"{T}/sent.html", {"meeting": meeting, "event": meeting.event, "lifetime": services.LIFETIME_TEXT}
    )


@ratelimit(key="meetings-vote", limit=60, period=3600, by=_typed_email)
def _vote_submit(
    request: HttpRequest, meeting: Meeting, question: Question, participant: Participant | None
) -> HttpResponse:
    if participant is not None:
        with contextlib.suppress(services.MeetingStateError):
            services.vote_cast(question=question, participant=participant, request=request)
        return redirect(f"{meeting.get_absolute_url()}#question-{question.pk}")
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            services.vote_request(meeting=meeting, question=question, email=form.cleaned_data["email"], request=request)
        except services.MeetingInvalid as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
        except services.MeetingStateError as error:
            form.add_error(None, error.message)
        else:
            return redirect("meetings:sent", public_id=meeting.event.public_id)
    return render(request, f"{T}/vote.html", {"meeting": meeting, "question": question, "form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, public_id: uuid.UUID, pk: int) -> HttpResponse:
    meeting = _meeting(public_id)
    question = get_object_or_404(Question, pk=pk, meeting=meeting, state=Question.State.APPROVED)
    participant = _participant(request, meeting)
    if request.method == "POST":
        return _vote_submit(request, meeting, question, participant)
    return render(request, f"{T}/vote.html", {"meeting": meeting, "question": question, "form": EmailForm()})


@ratelimit(key="meetings-register", limit=10, period=3600, by=_typed_email)
def _register_submit(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            services.register_request(meeting=meeting, email=form.cleaned_data["email"], request=request)
        except services.MeetingInvalid as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
        except services.MeetingStateError as error:
            form.add_error(None, error.message)
        else:
            return redirect("meetings:sent", public_id=meeting.event.public_id)
    return render(request, f"{T}/register.html", {"meeting": meeting, "event": meeting.event, "form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    meeting = _meeting(public_id)
    if request.method == "POST":
        return _register_submit(request, meeting)
    return render(request, f"{T}/register.html", {"meeting": meeting, "event": meeting.event, "form": EmailForm()})


def _link_error(request: HttpRequest, error: LinkInvalid) -> HttpResponse:
    gone = isinstance(error, (LinkExpired, LinkUsed))
    return render(request, f"{T}/link_error.html", {"message": error.message}, status=410 if gone else 400)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="meetings-confirm", limit=30, period=3600)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (a mail scanner opening the link uses nothing up); POST confirms."""
    try:
        if request.method == "POST":
            confirmed = services.link_confirm(token=token[:500], request=request)
        else:
            participant, what, _question = services.link_read(token[:500])
    except LinkInvalid as error:
        return _link_error(request, error)
    if request.method == "POST":
        _remember(request, confirmed.participant)
        anchor = {"ask": "#your-questions", "vote": f"#question-{confirmed.question.pk}" if confirmed.question else ""}
        return redirect(confirmed.participant.meeting.get_absolute_url() + anchor.get(confirmed.what, ""))
    return render(
        request, f"{T}/confirm.html", {"meeting": participant.meeting, "event": participant.meeting.event, "what": what}
    )


@require_GET
def live(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    meeting = _meeting(public_id)
    participant = _participant(request, meeting)
    return render(
        request,
        f"{T}/live.html",
        {
            "meeting": meeting,
            "event": meeting.event,
            "questions": list(selectors.approved_questions(meeting, live=True)),
            "may_watch": _may_watch(meeting, participant),
            "participant": participant,
            "poll_ms": getattr(settings, "MEETINGS_LIVE_POLL_MS", 5000),
        },
    )


def live_json(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The live page's poll: one cache read when nothing changed (304 with the ETag, or this process's copy)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    key = str(public_id)
    live_cache.watcher_seen(key, request.headers.get("X-Watcher", "")[:41])
    found = live_cache.live_body(key)
    if found is None:
        raise Http404
    return live_cache.live_response(request, *found)
