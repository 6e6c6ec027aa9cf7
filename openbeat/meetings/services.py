"""Writes for PACT meetings: residents ask, vote and register (each after a magic link); moderators approve, reject,
hide, merge, answer and pin; after the meeting, minutes, attendance and actions (through priorities' services).

Every moderation function checks `can_moderate` (the permission, and the event's division in the actor's scope;
a force-wide event only for force-wide staff) and writes the audit log (`meetings.<thing>.<verb>`). A change that
shows on the public pages tells the page cache (core.pagecache) and the live page (live.live_changed).

Errors: `MeetingPermissionError` (a PermissionDenied), `MeetingInvalid` with `.errors` {field: message},
`MeetingStateError` with `.message`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from openbeat.areas.models import Neighbourhood
from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send
from openbeat.core.pagecache import public_content_changed
from openbeat.core.paths import absolute_url
from openbeat.core.tokens import (
    LinkInvalid,
    LinkUsed,
    signed_token_make,
    signed_token_read,
    signed_token_use_once,
    signed_token_used,
)
from openbeat.core.users import RequestUser, StaffUser
from openbeat.events.models import Event
from openbeat.meetings import words
from openbeat.meetings.live import live_changed
from openbeat.meetings.models import (
    NAME_MAX,
    QUESTION_MAX,
    Action,
    AgendaItem,
    Meeting,
    Participant,
    Question,
    Vote,
    WordList,
)
from openbeat.priorities.models import Priority, Source
from openbeat.priorities.services import priority_create, priority_update_add
from openbeat.reports.models import Question as ReportQuestion
from openbeat.reports.models import Report, ReportType
from openbeat.reports.services import ReportInvalid, report_submit
from openbeat.staff.scope import scope_for

PERMISSION = "meetings.moderate_meeting"
CONFIRM_PURPOSE = "meetings.confirm"
LINK_LIFETIME = timedelta(days=3)
LIFETIME_TEXT = "3 days"
REASON_MAX = 500
SOURCE_LABEL = "PACT meeting"


class MeetingPermissionError(PermissionDenied):
    def __init__(self, message: str = "You cannot moderate this meeting") -> None:
        super().__init__(message)
        self.message = message


@dataclass
class MeetingInvalid(Exception):
    errors: dict[str, str] = field(default_factory=dict)


class MeetingStateError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------------------------------------ checks


def can_moderate(user: RequestUser, meeting: Meeting) -> bool:
    if user is None or not user.is_authenticated or not user.has_perm(PERMISSION):
        return False
    scope = scope_for(user)
    event = meeting.event
    if event.force_wide:
        return scope.force_wide
    return scope.allows_division(event.division_id)


def _check(actor: RequestUser, meeting: Meeting) -> None:
    if not can_moderate(actor, meeting):
        raise MeetingPermissionError()


def _log(
    action: str, *, actor: RequestUser | None, target: Any, meeting: Meeting, request: HttpRequest | None, **data: Any
) -> None:
    log_action(
        action,
        actor=actor,
        target=target,
        data={"meeting": meeting.pk, **data},
        division=meeting.event.division,
        request=request,
    )


def _public_change(meeting: Meeting) -> None:
    public_content_changed()
    live_changed(meeting)


# ------------------------------------------------------------------------------------------------ the meeting


_url = URLValidator(schemes=["https", "http"])


def meeting_create(*, event: Event, actor: StaffUser, request: HttpRequest | None = None) -> Meeting:
    """The meeting of a PACT event (one only: asking again gives the same one)."""
    if event.kind != Event.Kind.PACT:
        raise MeetingStateError("Only a PACT meeting event can have questions, minutes and actions")
    meeting = Meeting(event=event)
    _check(actor, meeting)
    existing = Meeting.objects.filter(event=event).first()
    if existing is not None:
        return existing
    meeting.save()
    _log("meetings.meeting.create", actor=actor, target=meeting, meeting=meeting, request=request, event=event.pk)
    return meeting


def meeting_update(
    *,
    meeting: Meeting,
    actor: StaffUser,
    agenda: list[str],
    stream_url: str = "",
    stream_title: str = "",
    captions_url: str = "",
    registered_only: bool = False,
    questions_open: bool = True,
    request: HttpRequest | None = None,
) -> Meeting:
    _check(actor, meeting)
    errors: dict[str, str] = {}
    items = [" ".join(item.split()) for item in agenda if item.strip()]
    if any(len(item) > 200 for item in items):
        errors["agenda"] = "Each agenda item must be 200 characters or fewer"
    if len(items) > 50:
        errors["agenda"] = "An agenda can have at most 50 items"
    for name, value in (("stream_url", stream_url), ("captions_url", captions_url)):
        if value:
            try:
                _url(value)
                if len(value) > 500:
                    raise ValidationError("long")
            except ValidationError:
                errors[name] = "Enter a web address starting with https://"
    if stream_url and not stream_title.strip():
        errors["stream_title"] = "Enter a title for the stream, such as 'PACT meeting live video'"
    if errors:
        raise MeetingInvalid(errors)
    with transaction.atomic():
        meeting.stream_url, meeting.stream_title, meeting.captions_url = (
            stream_url,
            stream_title.strip()[:150],
            captions_url,
        )
        meeting.registered_only, meeting.questions_open = registered_only, questions_open
        meeting.save()
        meeting.agenda.all().delete()
        AgendaItem.objects.bulk_create(
            [AgendaItem(meeting=meeting, order=i, title=title) for i, title in enumerate(items)]
        )
        _log(
            "meetings.meeting.change",
            actor=actor,
            target=meeting,
            meeting=meeting,
            request=request,
            registered_only=registered_only,
            questions_open=questions_open,
            agenda_items=len(items),
        )
        _public_change(meeting)
    return meeting


def meeting_record(
    *,
    meeting: Meeting,
    actor: StaffUser,
    minutes: str,
    attended_in_person: int | None,
    attended_online: int | None,
    held: bool = True,
    request: HttpRequest | None = None,
) -> Meeting:
    """After the meeting: the minutes and how many attended (online: typed, or the live page's measured peak)."""
    _check(actor, meeting)
    errors = {}
    for name, value in (("attended_in_person", attended_in_person), ("attended_online", attended_online)):
        if value is not None and not (0 <= value <= 1_000_000):
            errors[name] = "Enter a number of people between 0 and 1,000,000"
    if len(minutes) > 50_000:
        errors["minutes"] = "The minutes must be 50,000 characters or fewer"
    if errors:
        raise MeetingInvalid(errors)
    meeting.minutes = minutes.strip()
    meeting.attended_in_person, meeting.attended_online, meeting.held = attended_in_person, attended_online, held
    meeting.save()
    _log(
        "meetings.meeting.record",
        actor=actor,
        target=meeting,
        meeting=meeting,
        request=request,
        in_person=attended_in_person,
        online=attended_online,
        held=held,
    )
    return meeting


def action_add(
    *,
    meeting: Meeting,
    actor: StaffUser,
    summary: str,
    priority: Priority | None = None,
    neighbourhood: Neighbourhood | None = None,
    action: str = "",
    status: str = "",
    publish: bool = True,
    request: HttpRequest | None = None,
) -> Action:
    """An action agreed: a new priority for `neighbourhood` (issue `summary`, source the meeting), or, given
    `priority`, an update on it (note `summary`). Both through priorities.services (its checks, its audit)."""
    _check(actor, meeting)
    summary = summary.strip()
    if not summary:
        raise MeetingInvalid({"summary": "Enter the action agreed"})
    event = meeting.event
    when = timezone.localtime(event.starts_at).date()
    reference = f"{SOURCE_LABEL}: {event.title}, {when:%-d %B %Y}"[:200]
    try:
        with transaction.atomic():
            if priority is None:
                neighbourhood = neighbourhood or event.neighbourhood
                if neighbourhood is None:
                    raise MeetingInvalid({"neighbourhood": "Choose the neighbourhood the priority is for"})
                priority = priority_create(
                    actor=actor,
                    neighbourhood=neighbourhood,
                    issue=summary,
                    action=action,
                    date_set=when,
                    source_kind=Source.PACT,
                    source_reference=reference,
                    source_url=absolute_url(meeting.get_absolute_url()),
                    published=publish,
                    request=request,
                )
                created = True
            else:
                priority_update_add(
                    actor=actor,
                    priority=priority,
                    date=max(when, priority.date_set),
                    status=status or priority.status,
                    note=f"{reference}. {summary}",
                    request=request,
                )
                created = False
            made = Action.objects.create(
                meeting=meeting, priority=priority, created_new=created, summary=summary, created_by=actor
            )
            _log(
                "meetings.action.add",
                actor=actor,
                target=made,
                meeting=meeting,
                request=request,
                priority=priority.pk,
                new=created,
            )
    except ValidationError as error:
        raise MeetingInvalid({k: " ".join(v) for k, v in error.message_dict.items()}) from error
    return made


def word_list_save(*, kind: str, words_text: str, actor: StaffUser, request: HttpRequest | None = None) -> WordList:
    if actor is None or not actor.has_perm("meetings.change_wordlist"):
        raise MeetingPermissionError("You cannot change the word lists")
    if kind not in WordList.Kind.values:
        raise MeetingInvalid({"kind": "Choose a list"})
    if len(words_text) > 20_000:
        raise MeetingInvalid({"words": "The list must be 20,000 characters or fewer"})
    row, _ = WordList.objects.get_or_create(kind=kind)
    row.words = "\n".join(w.strip() for w in words_text.splitlines() if w.strip())
    row.save()
    log_action(
        "meetings.wordlist.change",
        actor=actor,
        target=row,
        data={"kind": kind, "entries": len(row.entries)},
        request=request,
    )
    return row


# ------------------------------------------------------------------------------------------------ residents


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def email_hash(*, meeting: Meeting, email: str) -> str:
    """A keyed hash (HMAC-SHA256 with SECRET_KEY) of the address, different for each meeting."""
    return salted_hmac(
        "openbeat.meetings.email", f"{meeting.pk}:{normalise_email(email)}", algorithm="sha256"
    ).hexdigest()


def _valid_email(email: str, errors: dict[str, str]) -> str:
    email = normalise_email(email)
    try:
        validate_email(email)
        if len(email) > 254:
            raise ValidationError("long")
    except ValidationError:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    return email


def _participant(meeting: Meeting, email: str) -> Participant:
    key = email_hash(meeting=meeting, email=email)
    try:
        with transaction.atomic():
            participant, _ = Participant.objects.get_or_create(meeting=meeting, email_hash=key)
    except IntegrityError:
        participant = Participant.objects.get(meeting=meeting, email_hash=key)
    return participant


def _open(meeting: Meeting) -> None:
    if not meeting.questions_open or meeting.event.state != Event.State.PUBLISHED:
        raise MeetingStateError("This meeting is not taking questions")


def confirm_link(participant: Participant, what: str, question: Question | None = None) -> str:
    # A nonce: two links asked for in the same second are still two links, each usable once.
    value = f"{participant.public_id}:{what}:{question.pk if question else ''}:{secrets.token_urlsafe(6)}"
    return absolute_url(reverse("meetings:confirm", kwargs={"token": signed_token_make(CONFIRM_PURPOSE, value)}))


def _send_link(
    *, email: str, meeting: Meeting, participant: Participant, what: str, question: Question | None = None
) -> None:
    email_send(
        to=email,
        template="meetings/email/confirm",
        context={
            "event": meeting.event,
            "what": what,
            "link": confirm_link(participant, what, question),
            "lifetime": LIFETIME_TEXT,
        },
        purpose=f"meetings.confirm.{what}",
    )


def _moderation_state(text: str) -> tuple[str, list[str]]:
    harm = words.matches(text, WordList.Kind.HARM)
    if harm:
        return Question.State.FLAGGED, harm
    abusive = words.matches(text, WordList.Kind.ABUSIVE)
    if abusive:
        return Question.State.HELD, abusive
    return Question.State.AWAITING, []


def question_submit(
    *,
    meeting: Meeting,
    display_name: str,
    text: str,
    email: str = "",
    participant: Participant | None = None,
    request: HttpRequest | None = None,
) -> Question:
    """A resident's question. With a verified `participant` (their session) it goes straight to moderation;
    otherwise a link is emailed to `email` and it waits for it. MeetingInvalid for what they can correct."""
    _open(meeting)
    errors: dict[str, str] = {}
    display_name = " ".join((display_name or "").split())
    text = (text or "").strip()
    if not display_name:
        errors["display_name"] = "Enter the name to show with your question: your own or a made-up one"
    elif len(display_name) > NAME_MAX:
        errors["display_name"] = f"The name must be {NAME_MAX} characters or fewer"
    if not text:
        errors["text"] = "Enter your question"
    elif len(text) > QUESTION_MAX:
        errors["text"] = f"Your question must be {QUESTION_MAX} characters or fewer"
    verified = participant is not None and participant.meeting_id == meeting.pk and participant.verified_at is not None
    if not verified:
        email = _valid_email(email, errors)
    if errors:
        raise MeetingInvalid(errors)
    state, matched = _moderation_state(text)
    with transaction.atomic():
        if not verified:
            participant = _participant(meeting, email)
        assert participant is not None
        question = Question.objects.create(
            meeting=meeting,
            participant=participant,
            display_name=display_name,
            text=text,
            state=state if (verified or state == Question.State.FLAGGED) else Question.State.UNVERIFIED,
            matched_words=", ".join(matched)[:200],
            # Kept only so that the moderator can reach someone who may be reporting a crime or harm.
            contact_email=email if state == Question.State.FLAGGED and not verified else "",
        )
        if not verified:
            _send_link(email=email, meeting=meeting, participant=participant, what="ask", question=question)
        _log(
            "meetings.question.submit",
            actor=None,
            target=question,
            meeting=meeting,
            request=request,
            state=question.state,
            verified=verified,
        )
    return question


def vote_request(
    *, meeting: Meeting, question: Question, email: str, request: HttpRequest | None = None
) -> Participant:
    """Email a link that, once opened, records the vote of the person at `email`."""
    _open(meeting)
    errors: dict[str, str] = {}
    email = _valid_email(email, errors)
    if errors:
        raise MeetingInvalid(errors)
    if question.meeting_id != meeting.pk or question.state != Question.State.APPROVED:
        raise MeetingStateError("You can only vote for published questions")
    participant = _participant(meeting, email)
    _send_link(email=email, meeting=meeting, participant=participant, what="vote", question=question)
    return participant


def register_request(*, meeting: Meeting, email: str, request: HttpRequest | None = None) -> Participant:
    """Email a link that registers the person at `email` to attend (and, when the meeting says so, to watch)."""
    if meeting.event.state != Event.State.PUBLISHED:
        raise MeetingStateError("This meeting is not taking registrations")
    errors: dict[str, str] = {}
    email = _valid_email(email, errors)
    if errors:
        raise MeetingInvalid(errors)
    participant = _participant(meeting, email)
    _send_link(email=email, meeting=meeting, participant=participant, what="register")
    return participant


def vote_cast(*, question: Question, participant: Participant, request: HttpRequest | None = None) -> bool:
    """One verified person's vote: True if counted, False if they had voted for it already."""
    meeting = question.meeting
    _open(meeting)
    if participant.verified_at is None or participant.meeting_id != question.meeting_id:
        raise MeetingStateError("Confirm your email address to vote")
    if question.state != Question.State.APPROVED:
        raise MeetingStateError("You can only vote for published questions")
    try:
        with transaction.atomic():
            Vote.objects.create(question=question, participant=participant)
    except IntegrityError:
        return False
    live_changed(meeting)
    return True


@dataclass
class Confirmed:
    participant: Participant
    what: str
    question: Question | None
    counted: bool = True


def link_read(token: str) -> tuple[Participant, str, Question | None]:
    value = signed_token_read(CONFIRM_PURPOSE, token, max_age=LINK_LIFETIME)
    if signed_token_used(token):
        raise LinkUsed()
    public_id, what, question_id = ([*value.split(":"), "", "", ""])[:3]
    if question_id and not question_id.isdigit():
        raise LinkInvalid()
    try:
        participant = Participant.objects.select_related("meeting__event").get(public_id=public_id)
    except (Participant.DoesNotExist, ValidationError, ValueError) as error:
        raise LinkInvalid() from error
    question = None
    if question_id:
        question = Question.objects.filter(pk=int(question_id), meeting=participant.meeting).first()
        if question is None:
            raise LinkInvalid()
    if what not in ("ask", "vote", "register"):
        raise LinkInvalid()
    return participant, what, question


def link_confirm(*, token: str, request: HttpRequest | None = None) -> Confirmed:
    """Open an emailed link (once): the person is verified, and what they asked for is done."""
    participant, what, question = link_read(token)
    if not signed_token_use_once(token, max_age=LINK_LIFETIME):
        raise LinkUsed()
    meeting = participant.meeting
    now = timezone.now()
    counted = True
    with transaction.atomic():
        participant.verified_at = participant.verified_at or now
        if what == "register":
            participant.registered_at = participant.registered_at or now
        participant.save(update_fields=["verified_at", "registered_at"])
        if what == "ask" and question is not None and question.state == Question.State.UNVERIFIED:
            question.state, matched = _moderation_state(question.text)
            question.matched_words = ", ".join(matched)[:200]
            question.save(update_fields=["state", "matched_words", "updated_at"])
        _log(
            "meetings.participant.verified", actor=None, target=participant, meeting=meeting, request=request, what=what
        )
    if what == "vote" and question is not None:
        try:
            counted = vote_cast(question=question, participant=participant, request=request)
        except MeetingStateError:
            counted = False
    return Confirmed(participant=participant, what=what, question=question, counted=counted)


# ------------------------------------------------------------------------------------------------ moderation


def _locked(question: Question, actor: StaffUser) -> Question:
    _check(actor, question.meeting)
    return Question.objects.select_for_update().select_related("meeting__event").get(pk=question.pk)


_MODERATABLE = (Question.State.AWAITING, Question.State.HELD, Question.State.APPROVED, Question.State.HIDDEN)


@transaction.atomic
def question_approve(*, question: Question, actor: StaffUser, request: HttpRequest | None = None) -> Question:
    q = _locked(question, actor)
    if q.state not in (Question.State.AWAITING, Question.State.HELD, Question.State.HIDDEN):
        raise MeetingStateError("Only a question awaiting approval, held or hidden can be approved")
    q.state, q.approved_at = Question.State.APPROVED, timezone.now()
    q.save(update_fields=["state", "approved_at", "updated_at"])
    _log("meetings.question.approve", actor=actor, target=q, meeting=q.meeting, request=request)
    _public_change(q.meeting)
    return q


@transaction.atomic
def question_reject(
    *, question: Question, actor: StaffUser, reason: str, request: HttpRequest | None = None
) -> Question:
    """Not published; the author sees `reason`. A flagged question's kept address is erased."""
    q = _locked(question, actor)
    reason = " ".join((reason or "").split())
    if not reason:
        raise MeetingInvalid({"reason": "Enter why the question is not being published: the resident sees it"})
    if len(reason) > REASON_MAX:
        raise MeetingInvalid({"reason": f"The reason must be {REASON_MAX} characters or fewer"})
    if q.state in (Question.State.MERGED, Question.State.CONVERTED, Question.State.ROUTED):
        raise MeetingStateError("This question has already been dealt with")
    was_public = q.is_public
    q.state, q.reject_reason, q.contact_email = Question.State.REJECTED, reason, ""
    q.save(update_fields=["state", "reject_reason", "contact_email", "updated_at"])
    _log("meetings.question.reject", actor=actor, target=q, meeting=q.meeting, request=request)
    if was_public:
        _public_change(q.meeting)
    return q


@transaction.atomic
def question_hide(*, question: Question, actor: StaffUser, request: HttpRequest | None = None) -> Question:
    q = _locked(question, actor)
    if q.state not in _MODERATABLE:
        raise MeetingStateError("This question cannot be hidden")
    q.state = Question.State.HIDDEN
    q.save(update_fields=["state", "updated_at"])
    _log("meetings.question.hide", actor=actor, target=q, meeting=q.meeting, request=request)
    _public_change(q.meeting)
    return q


@transaction.atomic
def question_merge(
    *, question: Question, into: Question, actor: StaffUser, request: HttpRequest | None = None
) -> Question:
    """`question` duplicates `into`: its votes move there (each voter counted once) and it shows no more."""
    q = _locked(question, actor)
    target = _locked(into, actor)
    if q.pk == target.pk or q.meeting_id != target.meeting_id:
        raise MeetingInvalid({"into": "Choose another question of the same meeting"})
    if q.state not in _MODERATABLE or target.state not in _MODERATABLE:
        raise MeetingStateError("Only questions awaiting approval, held, approved or hidden can be merged")
    voters = set(target.votes.values_list("participant_id", flat=True))
    # The duplicate's author supports the question too, as do its voters: each person once.
    moving = set(q.votes.values_list("participant_id", flat=True)) | {q.participant_id}
    moving -= voters | {target.participant_id}
    Vote.objects.bulk_create([Vote(question=target, participant_id=pid) for pid in sorted(moving)])
    q.votes.all().delete()
    q.state, q.merged_into = Question.State.MERGED, target
    q.save(update_fields=["state", "merged_into", "updated_at"])
    _log(
        "meetings.question.merge",
        actor=actor,
        target=q,
        meeting=q.meeting,
        request=request,
        into=target.pk,
        votes_moved=len(moving),
    )
    _public_change(q.meeting)
    return target


@transaction.atomic
def question_answer(
    *, question: Question, actor: StaffUser, answer: str = "", request: HttpRequest | None = None
) -> Question:
    """Post an answer (or, with none, mark the question answered at the meeting)."""
    q = _locked(question, actor)
    if q.state != Question.State.APPROVED:
        raise MeetingStateError("Approve the question before answering it")
    answer = (answer or "").strip()
    if len(answer) > 5000:
        raise MeetingInvalid({"answer": "The answer must be 5,000 characters or fewer"})
    q.answer, q.answered_at = answer or q.answer, q.answered_at or timezone.now()
    q.save(update_fields=["answer", "answered_at", "updated_at"])
    _log("meetings.question.answer", actor=actor, target=q, meeting=q.meeting, request=request, written=bool(answer))
    _public_change(q.meeting)
    return q


@transaction.atomic
def question_pin(
    *, meeting: Meeting, question: Question | None, actor: StaffUser, request: HttpRequest | None = None
) -> Meeting:
    """The question being discussed now (None: none)."""
    _check(actor, meeting)
    if question is not None and (question.meeting_id != meeting.pk or question.state != Question.State.APPROVED):
        raise MeetingStateError("Only an approved question of this meeting can be the current one")
    meeting.current_question = question
    meeting.save(update_fields=["current_question", "updated_at"])
    _log(
        "meetings.question.pin",
        actor=actor,
        target=meeting,
        meeting=meeting,
        request=request,
        question=question.pk if question else None,
    )
    _public_change(meeting)
    return meeting


def _report_answers(report_type: ReportType, text: str) -> dict[str, Any]:
    first = (
        report_type.questions.filter(kind__in=[ReportQuestion.Kind.TEXTAREA, ReportQuestion.Kind.TEXT])
        .order_by("page", "sort_order", "pk")
        .first()
    )
    return {first.key: text} if first is not None else {}


@transaction.atomic
def question_to_report(
    *, question: Question, actor: StaffUser, report_type: ReportType, request: HttpRequest | None = None
) -> Report:
    """A flagged question becomes a Do It Online report (reports.services.report_submit), in one audited step:
    the resident gets the report's confirmation email, and the question keeps only the report's reference."""
    q = _locked(question, actor)
    if q.state != Question.State.FLAGGED:
        raise MeetingStateError("Only a flagged question can be made into a report")
    if not q.contact_email:
        raise MeetingStateError("The resident's address is no longer kept: send them how to report instead")
    event = q.meeting.event
    day = f"{timezone.localtime(event.starts_at):%-d %B %Y}"
    text = f'Sent as a question for the {SOURCE_LABEL} "{event.title}" ({day}):\n\n{q.text}'
    try:
        report = report_submit(
            report_type=report_type,
            answers=_report_answers(report_type, text),
            reporter_name=q.display_name,
            reporter_email=q.contact_email,
            source=Report.Source.PACT,
        )
    except ReportInvalid as error:
        fields = ", ".join(sorted(error.errors))
        raise MeetingInvalid(
            {"report_type": f"This report type needs more than the question gives ({fields}): choose another"}
        ) from error
    q.state, q.contact_email, q.report_reference = Question.State.CONVERTED, "", report.reference
    q.save(update_fields=["state", "contact_email", "report_reference", "updated_at"])
    _log(
        "meetings.question.to_report",
        actor=actor,
        target=q,
        meeting=q.meeting,
        request=request,
        report=report.reference,
        report_type=report_type.slug,
        source=SOURCE_LABEL,
    )
    return report


@transaction.atomic
def question_send_route(*, question: Question, actor: StaffUser, request: HttpRequest | None = None) -> Question:
    """Email the resident how to report (online, 101, 999 in an emergency) instead; their address is then erased."""
    q = _locked(question, actor)
    if q.state != Question.State.FLAGGED:
        raise MeetingStateError("Only a flagged question can be answered this way")
    if not q.contact_email:
        raise MeetingStateError("The resident's address is no longer kept")
    email_send(
        to=q.contact_email,
        template="meetings/email/route",
        context={"event": q.meeting.event, "report_url": absolute_url(reverse("reports:index"))},
        purpose="meetings.route",
    )
    q.state, q.contact_email = Question.State.ROUTED, ""
    q.save(update_fields=["state", "contact_email", "updated_at"])
    _log("meetings.question.route", actor=actor, target=q, meeting=q.meeting, request=request)
    return q


def online_peak_use(*, meeting: Meeting, actor: StaffUser, peak: int, request: HttpRequest | None = None) -> Meeting:
    _check(actor, meeting)
    meeting.attended_online = peak
    meeting.save(update_fields=["attended_online", "updated_at"])
    _log("meetings.meeting.online_peak", actor=actor, target=meeting, meeting=meeting, request=request, peak=peak)
    return meeting


def when(meeting: Meeting) -> dt.date:
    return timezone.localtime(meeting.event.starts_at).date()
