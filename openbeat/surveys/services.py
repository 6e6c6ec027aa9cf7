"""Writes to surveys: building (audited), publishing versions, closing, submitting responses, moderating free text.

Who may build: `surveys.manage_survey`, with the survey's division in the actor's scope (staff.scope); a
force-wide survey (no division) only force-wide staff. Errors, each with a `.message`:
- `SurveyPermissionError` (a PermissionDenied): the actor may not do this to this survey.
- `SurveyInvalid` (a ValidationError): publishing a definition that cannot be answered.
- `AnswersInvalid`: a submission whose answers do not fit the version (`.errors` by question id).

Submitting is idempotent on the client's id (see models): `response_submit` answers CREATED, DUPLICATE (the same
answers again: a success) or CONFLICT (different answers under an id already used: kept as a ResponseConflict).
Two submissions of one id at the same moment are settled by the unique constraint, not by a read beforehand.
"""

from __future__ import annotations

import enum
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils import timezone

from openbeat.areas.models import Division, Neighbourhood
from openbeat.areas.postcodes import PostcodeError, postcode_locate
from openbeat.audit.services import log_action
from openbeat.core.users import RequestUser, StaffUser
from openbeat.staff.scope import scope_for
from openbeat.surveys import logic
from openbeat.surveys.indices import responses_changed
from openbeat.surveys.models import (
    Answer,
    Channel,
    Condition,
    Option,
    Question,
    Response,
    ResponseConflict,
    Section,
    Survey,
    SurveyVersion,
)
from openbeat.surveys.selectors import definition_of, results_can_view, results_divisions


class SurveyPermissionError(PermissionDenied):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SurveyInvalid(ValidationError):
    pass


class AlreadyAnswered(Exception):
    """A personal link's recipient has answered this survey already (one response per recipient)."""

    message = "You have already answered this survey. Thank you."


class AnswersInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("The answers do not fit the survey")
        self.errors = errors
        self.message = "The answers do not fit the survey"


def survey_can_manage(user: RequestUser, survey: Survey) -> bool:
    if user is None or not user.is_authenticated or not user.has_perm("surveys.manage_survey"):
        return False
    scope = scope_for(user)
    return scope.force_wide if survey.division_id is None else scope.allows_division(survey.division_id)


def _check_manage(actor: StaffUser, survey: Survey) -> None:
    if not survey_can_manage(actor, survey):
        raise SurveyPermissionError("You cannot change this survey")


def _check_division(actor: StaffUser, division: Division | None) -> None:
    if not actor.has_perm("surveys.manage_survey"):
        raise SurveyPermissionError("You cannot build surveys")
    scope = scope_for(actor)
    if division is None and not scope.force_wide:
        raise SurveyPermissionError("Only force-wide staff can run a survey for the whole force")
    if division is not None and not scope.allows_division(division):
        raise SurveyPermissionError("You can only run surveys for your own division")


# Building


def survey_create(
    *,
    actor: StaffUser,
    title: str,
    slug: str,
    privacy_notice: str,
    intro: str = "",
    division: Division | None = None,
    request: HttpRequest | None = None,
) -> Survey:
    _check_division(actor, division)
    if Survey.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "Another survey has this short name: choose another"})
    survey = Survey.objects.create(
        title=title, slug=slug, privacy_notice=privacy_notice, intro=intro, division=division, created_by=actor
    )
    log_action("surveys.survey.create", actor=actor, target=survey, request=request, data={"slug": slug})
    return survey


def survey_update(
    *,
    survey: Survey,
    actor: StaffUser,
    title: str,
    slug: str,
    privacy_notice: str,
    intro: str = "",
    division: Division | None = None,
    request: HttpRequest | None = None,
) -> Survey:
    _check_manage(actor, survey)
    _check_division(actor, division)
    if Survey.objects.filter(slug=slug).exclude(pk=survey.pk).exists():
        raise ValidationError({"slug": "Another survey has this short name: choose another"})
    survey.title, survey.slug, survey.privacy_notice, survey.intro, survey.division = (
        title,
        slug,
        privacy_notice,
        intro,
        division,
    )
    survey.save()
    log_action("surveys.survey.change", actor=actor, target=survey, request=request)
    return survey


def section_add(*, survey: Survey, actor: StaffUser, title: str, intro: str = "") -> Section:
    _check_manage(actor, survey)
    position = (survey.sections.aggregate(m=Max("position"))["m"] or 0) + 1
    section = Section.objects.create(survey=survey, title=title, intro=intro, position=position)
    log_action("surveys.section.add", actor=actor, target=survey, data={"section": section.pk})
    return section


def section_update(*, section: Section, actor: StaffUser, title: str, intro: str = "") -> Section:
    _check_manage(actor, section.survey)
    section.title, section.intro = title, intro
    section.save(update_fields=["title", "intro"])
    log_action("surveys.section.change", actor=actor, target=section.survey, data={"section": section.pk})
    return section


def section_condition_set(*, section: Section, actor: StaffUser, show_when: Option | None) -> Section:
    """Show `section` only when `show_when` (an answer of an earlier question) was chosen; None: always."""
    _check_manage(actor, section.survey)
    if show_when is not None and show_when.question.section.survey_id != section.survey_id:
        raise ValidationError({"show_when": "Choose an answer from this survey"})
    section.conditions.all().delete()
    if show_when is not None:
        Condition.objects.create(section=section, option=show_when)
    log_action(
        "surveys.section.change",
        actor=actor,
        target=section.survey,
        data={"section": section.pk, "show_when": show_when.pk if show_when else None},
    )
    return section


def section_delete(*, section: Section, actor: StaffUser) -> None:
    survey = section.survey
    _check_manage(actor, survey)
    pk = section.pk
    section.delete()
    log_action("surveys.section.delete", actor=actor, target=survey, data={"section": pk})


def question_save(
    *,
    section: Section,
    actor: StaffUser,
    kind: str,
    text: str,
    hint: str = "",
    required: bool = True,
    options: list[tuple[int | None, str]] | None = None,
    show_when: Option | None = None,
    question: Question | None = None,
) -> Question:
    """Add a question to `section` (or change `question`), with its options as (existing option id or None, label)
    in order; options left out are removed. Kept option ids keep their meaning in results across versions."""
    survey = section.survey
    _check_manage(actor, survey)
    if kind in (*logic.CHOICE_KINDS, logic.GRID) and not [label for _, label in options or [] if label.strip()]:
        raise ValidationError({"options": "Give at least one answer to choose from"})
    if show_when is not None and show_when.question.section.survey_id != survey.pk:
        raise ValidationError({"show_when": "Choose an answer from this survey"})
    with transaction.atomic():
        if question is None:
            position = (section.questions.aggregate(m=Max("position"))["m"] or 0) + 1
            question = Question.objects.create(
                section=section, kind=kind, text=text, hint=hint, required=required, position=position
            )
            verb = "add"
        else:
            question.kind, question.text, question.hint, question.required = kind, text, hint, required
            question.save()
            verb = "change"
        kept: list[int] = []
        existing = {o.pk: o for o in question.options.all()}
        for position, (option_id, label) in enumerate(options or [], start=1):
            if not label.strip():
                continue
            if option_id in existing:
                option = existing[option_id]
                option.label, option.position = label.strip(), position
                option.save(update_fields=["label", "position"])
            else:
                option = Option.objects.create(question=question, label=label.strip(), position=position)
            kept.append(option.pk)
        question.options.exclude(pk__in=kept).delete()
        question.conditions.all().delete()
        if show_when is not None:
            Condition.objects.create(question=question, option=show_when)
    log_action(f"surveys.question.{verb}", actor=actor, target=survey, data={"question": question.pk})
    return question


def question_delete(*, question: Question, actor: StaffUser) -> None:
    survey = question.section.survey
    _check_manage(actor, survey)
    pk = question.pk
    question.delete()
    log_action("surveys.question.delete", actor=actor, target=survey, data={"question": pk})


def item_move(*, item: Section | Question, actor: StaffUser, up: bool) -> None:
    """Swap a section or question with its neighbour (positions renumbered 1..n so that ties never stick)."""
    siblings: list[Section | Question]
    if isinstance(item, Section):
        survey = item.survey
        siblings = [*survey.sections.all()]
    else:
        survey = item.section.survey
        siblings = [*item.section.questions.all()]
    _check_manage(actor, survey)
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    with transaction.atomic():
        for position, sibling in enumerate(siblings, start=1):
            if sibling.position != position:
                sibling.position = position
                sibling.save(update_fields=["position"])


# Publishing


def survey_publish(*, survey: Survey, actor: StaffUser, request: HttpRequest | None = None) -> SurveyVersion:
    """Freeze the definition as the version residents answer, and open the survey.

    The current version is overwritten while nobody has answered it; once it has a response, a new version.
    """
    _check_manage(actor, survey)
    definition = definition_of(survey)
    problems = logic.condition_problems(definition)
    if not logic.questions(definition):
        problems.insert(0, "Add at least one question before publishing")
    if problems:
        raise SurveyInvalid(problems)
    now = timezone.now()
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        current = survey.current_version
        if current is not None and not current.responses.exists():
            current.definition, current.published_at, current.published_by = definition, now, actor
            current.save()
            version = current
        else:
            number = (survey.versions.aggregate(m=Max("number"))["m"] or 0) + 1
            version = SurveyVersion.objects.create(
                survey=survey, number=number, definition=definition, published_at=now, published_by=actor
            )
        survey.current_version = version
        survey.state = Survey.State.OPEN
        survey.save(update_fields=["current_version", "state", "updated_at"])
    log_action("surveys.survey.publish", actor=actor, target=survey, request=request, data={"version": version.number})
    return version


def survey_close(*, survey: Survey, actor: StaffUser, request: HttpRequest | None = None) -> Survey:
    _check_manage(actor, survey)
    survey.state = Survey.State.CLOSED
    survey.save(update_fields=["state", "updated_at"])
    log_action("surveys.survey.close", actor=actor, target=survey, request=request)
    return survey


# Responses


class Outcome(enum.Enum):
    CREATED = "created"
    DUPLICATE = "duplicate"  # the same answers under the same id again: a success, nothing new stored
    CONFLICT = "conflict"  # different answers under an id already used: kept for review, the first one stands


@dataclass(frozen=True)
class Submitted:
    outcome: Outcome
    response: Response
    conflict: ResponseConflict | None = None


def _place(answers: dict[str, Any], definition: dict[str, Any]) -> tuple[int | None, int | None]:
    """(neighbourhood id, division id) from the first postcode answer in the force's area; else none."""
    for question in logic.questions(definition):
        if question["kind"] == logic.POSTCODE and (postcode := answers.get(str(question["id"]))):
            try:
                location = postcode_locate(postcode)
            except PostcodeError:
                return None, None
            return location.neighbourhood.pk, location.neighbourhood.division_id
    return None, None


def _home(neighbourhood_id: int) -> tuple[int | None, int | None]:
    """(neighbourhood id, division id) of a subscriber's home neighbourhood, if it still exists."""
    found = Neighbourhood.objects.filter(pk=neighbourhood_id).values_list("pk", "division_id").first()
    return (found[0], found[1]) if found else (None, None)


def _answer_rows(response: Response, answers: dict[str, Any], definition: dict[str, Any]) -> list[Answer]:
    common = {
        "response": response,
        "survey_id": response.survey_id,
        "channel": response.channel,
        "neighbourhood_id": response.neighbourhood_id,
        "division_id": response.division_id,
        "submitted_at": response.submitted_at,
    }
    rows = []
    for question in logic.questions(definition):
        value = answers.get(str(question["id"]))
        if value is None:
            continue
        kind, qid = question["kind"], question["id"]
        if kind == logic.SINGLE:
            rows.append(Answer(question_id=qid, option_id=value, **common))
        elif kind == logic.MULTIPLE:
            rows += [Answer(question_id=qid, option_id=option, **common) for option in value]
        elif kind in (logic.SCALE_5, logic.SCALE_10):
            rows.append(Answer(question_id=qid, value=value, **common))
        elif kind == logic.GRID:
            rows += [Answer(question_id=qid, option_id=int(k), value=v, **common) for k, v in value.items()]
        elif kind == logic.TEXT:
            rows.append(Answer(question_id=qid, text=value, moderation=Answer.Moderation.PENDING, **common))
        # Postcodes are not kept: only the neighbourhood they give, on the response.
    return rows


def response_submit(
    *,
    client_id: uuid.UUID,
    version: SurveyVersion,
    answers: dict[str, Any],
    channel: str = Channel.PUBLIC,
    submitted_at: datetime | None = None,
    recipient_key: str = "",
    neighbourhood_id: int | None = None,
) -> Submitted:
    """Store a response (see the module's docstring). In the Know's personal links pass `recipient_key`
    (surveys.invitations): a second response under another client id for the same recipient raises
    AlreadyAnswered, settled by the unique constraint when two arrive at once; `neighbourhood_id` (the
    subscriber's home) places the response, before any postcode answer."""
    if version.survey.state != Survey.State.OPEN:
        raise AnswersInvalid({"": "This survey is closed"})
    if channel not in Channel.values:
        raise AnswersInvalid({"": "Unknown channel"})
    cleaned, errors = logic.validate(version.definition, answers)
    if errors:
        raise AnswersInvalid(errors)
    digest = logic.answers_digest(version.pk, cleaned)
    submitted_at = submitted_at or timezone.now()
    existing = Response.objects.filter(client_id=client_id).first()
    if existing is None:
        if recipient_key and Response.objects.filter(survey_id=version.survey_id, recipient_key=recipient_key).exists():
            raise AlreadyAnswered()
        # In the Know: the subscriber's home neighbourhood, else (as for every channel) the postcode answer's.
        neighbourhood_id, division_id = _home(neighbourhood_id) if neighbourhood_id is not None else (None, None)
        if neighbourhood_id is None:
            neighbourhood_id, division_id = _place(cleaned, version.definition)
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    client_id=client_id,
                    survey_id=version.survey_id,
                    version=version,
                    channel=channel,
                    neighbourhood_id=neighbourhood_id,
                    division_id=division_id,
                    digest=digest,
                    submitted_at=submitted_at,
                    recipient_key=recipient_key,
                )
                Answer.objects.bulk_create(_answer_rows(response, cleaned, version.definition))
                responses_changed(survey_id=version.survey_id, instants=[submitted_at])
            return Submitted(Outcome.CREATED, response)
        except IntegrityError:
            # Another submission of this id (or for this recipient) got in between the read and the insert:
            # settle against it.
            try:
                existing = Response.objects.get(client_id=client_id)
            except Response.DoesNotExist:
                raise AlreadyAnswered() from None
    if existing.digest == digest:
        return Submitted(Outcome.DUPLICATE, existing)
    try:
        with transaction.atomic():
            conflict, _ = ResponseConflict.objects.get_or_create(
                client_id=client_id,
                digest=digest,
                defaults={
                    "response": existing,
                    "version": version,
                    "channel": channel,
                    "answers": cleaned,
                    "submitted_at": submitted_at,
                },
            )
    except IntegrityError:
        conflict = ResponseConflict.objects.get(client_id=client_id, digest=digest)
    return Submitted(Outcome.CONFLICT, existing, conflict)


def responses_delete(*, responses: QuerySet[Response]) -> int:
    """Delete responses with their answers: what erasure and retention must call (the caller checks permission and
    audits), so that the survey indices' months they were in are recomputed. Returns the responses deleted."""
    with transaction.atomic():
        months = (
            responses.annotate(month=TruncMonth("submitted_at", tzinfo=timezone.get_default_timezone()))
            .values_list("survey_id", "month")
            .distinct()
            .order_by()
        )
        by_survey: dict[int, list[datetime]] = defaultdict(list)
        for survey_id, month in months:
            by_survey[survey_id].append(month)
        for survey_id, starts in by_survey.items():
            responses_changed(survey_id=survey_id, instants=starts)
        _, deleted = responses.delete()
    return deleted.get(Response._meta.label, 0)


def answer_moderate(*, answer: Answer, actor: StaffUser, shown: bool, request: HttpRequest | None = None) -> Answer:
    survey = answer.response.survey
    if not results_can_view(actor, survey):
        raise SurveyPermissionError("You cannot moderate this survey's answers")
    answer.moderation = Answer.Moderation.SHOWN if shown else Answer.Moderation.HIDDEN
    answer.save(update_fields=["moderation"])
    log_action(
        "surveys.answer.moderate",
        actor=actor,
        target=survey,
        request=request,
        data={"answer": answer.pk, "shown": shown},
    )
    return answer


# --- distribution: conflict review and In the Know invitations (helper "distribution") -------------------------


def conflict_can_review(user: RequestUser, conflict: ResponseConflict) -> bool:
    """Those who see the response in the survey's results (and moderate its free text) review its conflicts."""
    divisions = results_divisions(user, conflict.response.survey)
    if divisions is None:
        return True
    return bool(divisions) and conflict.response.division_id in divisions


def conflict_resolve(
    *, conflict: ResponseConflict, actor: StaffUser, replace: bool, request: HttpRequest | None = None
) -> ResponseConflict:
    """Settle a conflict: keep the stored answers, or replace them with the conflict's (the response's answer
    rows rewritten, its free text to be moderated again). Either way the conflict is resolved, by whom and when,
    and the audit log says which. A conflict already resolved is refused (two reviewers at once: one wins)."""
    with transaction.atomic():
        conflict = (
            ResponseConflict.objects.select_for_update()
            .select_related("response__survey", "version")
            .get(pk=conflict.pk)
        )
        if not conflict_can_review(actor, conflict):
            raise SurveyPermissionError("You cannot review this survey's responses")
        if conflict.resolved:
            raise SurveyPermissionError("This conflict has already been resolved")
        response = Response.objects.select_for_update().get(pk=conflict.response_id)
        if replace:
            before, before_at = response.digest, response.submitted_at
            neighbourhood_id, division_id = _place(conflict.answers, conflict.version.definition)
            if neighbourhood_id is not None:
                response.neighbourhood_id, response.division_id = neighbourhood_id, division_id
            response.version = conflict.version
            response.digest = conflict.digest
            response.submitted_at = conflict.submitted_at
            response.save(update_fields=["version", "digest", "submitted_at", "neighbourhood", "division"])
            response.answers.all().delete()
            Answer.objects.bulk_create(_answer_rows(response, conflict.answers, conflict.version.definition))
            # Its month before and after (its time, area and scores may all have changed) are recomputed.
            responses_changed(survey_id=response.survey_id, instants=[before_at, response.submitted_at])
        conflict.resolved = True
        conflict.resolution = "replaced" if replace else "kept"
        conflict.resolved_by = actor
        conflict.resolved_at = timezone.now()
        conflict.save(update_fields=["resolved", "resolution", "resolved_by", "resolved_at"])
        data: dict[str, Any] = {"conflict": conflict.pk, "response": response.pk, "resolution": conflict.resolution}
        if replace:
            data["digest_before"] = before
        log_action(
            f"surveys.conflict.{'replace' if replace else 'keep'}",
            actor=actor,
            target=response.survey,
            request=request,
            data=data,
        )
    return conflict


def survey_can_distribute(user: RequestUser, survey: Survey) -> bool:
    """Who may invite In the Know's residents to a survey: those who may send alerts and see the survey, and
    either manage it or see its results (a survey of their division, or a force-wide one)."""
    if user is None or not user.is_authenticated or not user.has_perm("alerts.send_alert"):
        return False
    if survey.state != Survey.State.OPEN or survey.current_version_id is None:
        return False
    if survey_can_manage(user, survey):
        return True
    scope = scope_for(user)
    return survey.division_id is None or scope.force_wide or scope.allows_division(survey.division_id)


def invitation_copy(*, source: Any, alert: Any, actor: StaffUser, request: HttpRequest | None = None) -> str:
    """A copied alert carries the invitation its source carried, if the survey is still open and `actor` may
    invite residents to it. Returns why it was not carried over ("" when it was, or there was none), for the
    composer to say: the copy is a draft, so staff can choose another survey before it is sent."""
    from openbeat.surveys.models import SurveyInvitation

    invitation = SurveyInvitation.objects.filter(alert=source).select_related("survey").first()
    if invitation is None:
        return ""
    survey = invitation.survey
    if survey.state != Survey.State.OPEN:
        return f"The survey invitation was not copied: '{survey.title}' is {survey.get_state_display().lower()}."
    if not survey_can_distribute(actor, survey):
        return f"The survey invitation was not copied: you cannot invite residents to '{survey.title}'."
    invitation_set(alert=alert, survey=survey, actor=actor, request=request)
    return ""


def invitation_set(*, alert: Any, survey: Survey | None, actor: StaffUser, request: HttpRequest | None = None) -> None:
    """Make a draft alert carry an invitation to `survey` (None: none)."""
    from openbeat.surveys.models import SurveyInvitation

    current = SurveyInvitation.objects.filter(alert=alert).first()
    if (current.survey_id if current else None) == (survey.pk if survey else None):
        return
    if survey is not None and not survey_can_distribute(actor, survey):
        raise SurveyPermissionError("You cannot invite residents to this survey")
    if survey is None:
        SurveyInvitation.objects.filter(alert=alert).delete()
    else:
        SurveyInvitation.objects.update_or_create(alert=alert, defaults={"survey": survey, "created_by": actor})
    log_action(
        "surveys.invitation.set",
        actor=actor,
        target=alert,
        request=request,
        data={"survey": survey.pk if survey else None},
    )
