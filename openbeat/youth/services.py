"""Writes for "Ask us anonymously": a young person asks; staff answer publicly or privately, or reject; words that
suggest a child at risk raise a safeguarding alert at once; administrators set who gets those alerts.

Privacy: nothing about the asker is stored or logged. Their audit entries are written without the request, so
no IP address is kept (audit.log_action records the request's address when given one).

Staff actions check `can_answer` (the permission, force-wide staff only: questions have no division) and are
audited (`youth.<thing>.<verb>`). Errors: `YouthPermissionError` (a PermissionDenied), `YouthInvalid` with
`.errors` {field: message}, `YouthStateError` with `.message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send
from openbeat.core.paths import absolute_url
from openbeat.core.users import RequestUser, StaffUser
from openbeat.staff.scope import scope_for
from openbeat.youth import words
from openbeat.youth.models import (
    ANSWER_MAX,
    QUESTION_MAX,
    AnonymousQuestion,
    SafeguardingAlert,
    SafeguardingSettings,
)
from openbeat.youth.references import reference_hash, reference_make

PERMISSION = "youth.answer_question"
SETTINGS_PERMISSION = "youth.change_safeguardingsettings"
ALERT_PURPOSE = "youth.safeguarding"
MAX_EMAILS = 20


class YouthPermissionError(PermissionDenied):
    def __init__(self, message: str = "You cannot answer young people's questions") -> None:
        super().__init__(message)
        self.message = message


@dataclass
class YouthInvalid(Exception):
    errors: dict[str, str] = field(default_factory=dict)


class YouthStateError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Submitted:
    question: AnonymousQuestion
    reference: str  # shown to the asker once; only its hash is kept


def can_answer(user: RequestUser) -> bool:
    if user is None or not user.is_authenticated or not user.has_perm(PERMISSION):
        return False
    # Young people are not sorted by division: only force-wide staff see their questions.
    return scope_for(user).force_wide


def can_change_settings(user: RequestUser) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm(SETTINGS_PERMISSION))


# ------------------------------------------------------------------------------------------------ asking


def question_submit(*, text: str) -> Submitted:
    """A young person's question. YouthInvalid for what they can correct. An urgent one alerts at once."""
    text = (text or "").strip()
    if not text:
        raise YouthInvalid({"text": "Enter your question"})
    if len(text) > QUESTION_MAX:
        raise YouthInvalid({"text": f"Your question must be {QUESTION_MAX} characters or fewer"})
    matched = words.matches(text)
    with transaction.atomic():
        question, reference = _create(text=text, matched=matched)
        log_action("youth.question.submit", actor=None, target=question, data={"urgent": question.urgent})
        if matched:
            safeguarding_alert(question=question)
    return Submitted(question=question, reference=reference)


def _create(*, text: str, matched: list[str]) -> tuple[AnonymousQuestion, str]:
    # 60 random bits: a clash is all but impossible, but a unique index refusing one must not lose the question.
    for _ in range(5):
        reference = reference_make()
        try:
            with transaction.atomic():
                question = AnonymousQuestion.objects.create(
                    text=text,
                    reference_hash=reference_hash(reference),
                    urgent=bool(matched),
                    matched_words=", ".join(matched)[:300],
                    public_text=text,
                )
        except IntegrityError:
            continue
        return question, reference
    raise RuntimeError("Could not make a unique reference")


# ------------------------------------------------------------------------------------------------ safeguarding


def safeguarding_emails() -> list[str]:
    row = SafeguardingSettings.objects.first()
    if row is not None and row.email_list:
        return row.email_list
    return list(settings.YOUTH_SAFEGUARDING_EMAILS)


def safeguarding_alert(*, question: AnonymousQuestion) -> SafeguardingAlert:
    """Email the safeguarding team now (through core.messaging, sent as soon as the question is saved), record
    it and audit it. The email carries a link to the question and the words found, not the question itself."""
    addresses = safeguarding_emails()
    for address in addresses:
        email_send(
            to=address,
            template="youth/email/safeguarding",
            context={
                "question": question,
                "words": question.matched_words,
                "link": absolute_url(reverse("youth_staff:question", kwargs={"pk": question.pk})),
            },
            purpose=ALERT_PURPOSE,
        )
    alert = SafeguardingAlert.objects.create(
        question=question, matched_words=question.matched_words or "-", recipients=len(addresses)
    )
    log_action(
        "youth.question.safeguarding_alert",
        actor=None,
        target=question,
        data={"recipients": len(addresses), "words": question.matched_words, "alert": alert.pk},
    )
    return alert


def safeguarding_settings_update(
    *, actor: StaffUser, emails: str, words_text: str, request: HttpRequest | None = None
) -> SafeguardingSettings:
    if not can_change_settings(actor):
        raise YouthPermissionError("You cannot change the safeguarding settings")
    addresses = [line.strip() for line in (emails or "").splitlines() if line.strip()]
    errors: dict[str, str] = {}
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            errors["emails"] = f"'{address[:60]}' is not an email address: enter one address a line"
            break
    if len(addresses) > MAX_EMAILS:
        errors["emails"] = f"Enter at most {MAX_EMAILS} addresses"
    entries = [line.strip() for line in (words_text or "").splitlines() if line.strip()]
    if any(len(entry) > 100 for entry in entries):
        errors["words"] = "Each word or phrase must be 100 characters or fewer"
    if errors:
        raise YouthInvalid(errors)
    with transaction.atomic():
        row = SafeguardingSettings.objects.select_for_update().first() or SafeguardingSettings()
        before = {"emails": row.email_list, "words": row.word_list}
        row.emails, row.words = "\n".join(addresses), "\n".join(entries)
        row.save()
        # The addresses are staff's work addresses, not personal data of the public: kept in the record.
        log_action(
            "youth.safeguarding_settings.change",
            actor=actor,
            target=row,
            request=request,
            data={
                "emails": row.email_list,
                "emails_before": before["emails"],
                "words": len(row.word_list),
                "words_before": len(before["words"]),
            },
        )
    return row


# ------------------------------------------------------------------------------------------------ answering


def _locked(question: AnonymousQuestion, actor: RequestUser) -> AnonymousQuestion:
    if not can_answer(actor):
        raise YouthPermissionError()
    return AnonymousQuestion.objects.select_for_update().get(pk=question.pk)


def _log(
    action: str, *, actor: StaffUser, question: AnonymousQuestion, request: HttpRequest | None, **data: Any
) -> None:
    log_action(action, actor=actor, target=question, request=request, data=data)


@transaction.atomic
def question_answer(
    *,
    question: AnonymousQuestion,
    actor: StaffUser,
    answer: str,
    public: bool,
    public_text: str = "",
    request: HttpRequest | None = None,
) -> AnonymousQuestion:
    """Answer privately (readable only with the reference) or publicly (the question as edited in `public_text`,
    with the answer, on the youth site). An urgent question is never published: its asker may be identifiable."""
    q = _locked(question, actor)
    errors: dict[str, str] = {}
    answer = (answer or "").strip()
    public_text = (public_text or "").strip()
    if not answer:
        errors["answer"] = "Enter the answer"
    elif len(answer) > ANSWER_MAX:
        errors["answer"] = f"The answer must be {ANSWER_MAX} characters or fewer"
    if public:
        if q.urgent:
            errors["visibility"] = "A question that raised a safeguarding alert can only be answered privately"
        elif not public_text:
            errors["public_text"] = "Enter the question as it will be published"
        elif len(public_text) > QUESTION_MAX:
            errors["public_text"] = f"The question must be {QUESTION_MAX} characters or fewer"
    if errors:
        raise YouthInvalid(errors)
    now = timezone.now()
    q.answer, q.answered_by, q.answered_at = answer, actor, now
    if public:
        q.state, q.public_text, q.published_at = AnonymousQuestion.State.PUBLISHED, public_text, now
    else:
        q.state, q.published_at = AnonymousQuestion.State.ANSWERED, None
    q.save()
    _log(
        "youth.question.publish" if public else "youth.question.answer",
        actor=actor,
        question=q,
        request=request,
        edited=public and public_text != q.text,
    )
    return q


@transaction.atomic
def question_reject(*, question: AnonymousQuestion, actor: StaffUser, request: HttpRequest | None = None) -> Any:
    """Not answered (spam, abuse, or not a question): the asker sees only that it was not answered."""
    q = _locked(question, actor)
    if q.state == AnonymousQuestion.State.REJECTED:
        raise YouthStateError("This question was already rejected")
    q.state, q.published_at = AnonymousQuestion.State.REJECTED, None
    q.save()
    _log("youth.question.reject", actor=actor, question=q, request=request)
    return q


@transaction.atomic
def question_unpublish(*, question: AnonymousQuestion, actor: StaffUser, request: HttpRequest | None = None) -> Any:
    """Take a public answer off the site; the asker can still read it with the reference."""
    q = _locked(question, actor)
    if q.state != AnonymousQuestion.State.PUBLISHED:
        raise YouthStateError("Only a published question can be taken off the site")
    q.state, q.published_at = AnonymousQuestion.State.ANSWERED, None
    q.save()
    _log("youth.question.unpublish", actor=actor, question=q, request=request)
    return q
