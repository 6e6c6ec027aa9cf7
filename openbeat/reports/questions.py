"""A report type's questions as the resident meets them: which are shown, on which pages, and whether the
answers given are acceptable.

Answers are a dict keyed by the question's `key`. Values are strings, except multichoice answers (a list of
choice values). Dates are ISO strings ("2026-03-04"), times "HH:MM" (24-hour), yes/no "yes" or "no".

A question with a `condition` ({"question": "<key>", "in": ["value", ...]}) is shown only when that other
question is itself shown and its answer (or one of its multichoice answers) is in the list. Answers to hidden
questions are never validated, displayed or kept: someone who changes an earlier answer leaves nothing stale.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from openbeat.reports.models import Question, ReportType

YES_NO = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]
# No date answer before this (the same bound as the web form's date input): catches typos like 0226 for 2026.
EARLIEST_DATE = dt.date(1900, 1, 1)
_TIME_RE = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class Page:
    number: int
    title: str
    questions: list[Question] = field(default_factory=list)


def questions_of(report_type: ReportType) -> list[Question]:
    """All the type's questions in asking order (works on an unsaved type in the back office's preview).

    Read once per ReportType instance: a submission asks for them several times (pages, validation, the
    answers shown) and each read was a query; an instance lives for one request, so this cannot go stale
    across requests. A saved type's questions are read from the database; an unsaved one's from the form."""
    cached: list[Question] | None = report_type.__dict__.get("_questions_in_order")
    if cached is None or report_type.pk is None:
        cached = sorted(report_type.questions.all(), key=lambda q: (q.page, q.sort_order, q.pk or 0))
        if report_type.pk is not None:
            report_type.__dict__["_questions_in_order"] = cached
    return cached


def choices_of(question: Question) -> list[dict[str, str]]:
    """[{"value", "label"}] for radios and checkboxes; yes/no questions have fixed ones."""
    if question.kind == Question.Kind.YES_NO:
        return YES_NO
    out = []
    for choice in question.choices or []:
        if isinstance(choice, Mapping) and "value" in choice:
            out.append({"value": str(choice["value"]), "label": str(choice.get("label") or choice["value"])})
        elif isinstance(choice, str):
            out.append({"value": choice, "label": choice})
    return out


def _as_values(answer: Any) -> set[str]:
    if isinstance(answer, list | tuple):
        return {str(a) for a in answer}
    if answer is None or answer == "":
        return set()
    return {str(answer)}


def visible_questions(report_type: ReportType, answers: Mapping[str, Any]) -> list[Question]:
    """The questions to ask, given the answers so far, in asking order."""
    questions = questions_of(report_type)
    by_key = {q.key: q for q in questions}
    shown: dict[str, bool] = {}

    def is_shown(question: Question, seen: frozenset[str]) -> bool:
        if question.key in shown:
            return shown[question.key]
        condition = question.condition
        if not condition:
            result = True
        elif not isinstance(condition, Mapping) or question.key in seen:
            # A malformed or circular condition hides the question rather than asking it out of context.
            result = False
        else:
            parent = by_key.get(str(condition.get("question", "")))
            wanted = condition.get("in") or []
            wanted_values = {str(v) for v in wanted} if isinstance(wanted, list) else {str(wanted)}
            result = (
                parent is not None
                and is_shown(parent, seen | {question.key})
                and bool(_as_values(answers.get(parent.key)) & wanted_values)
            )
        shown[question.key] = result
        return result

    return [q for q in questions if is_shown(q, frozenset())]


def pages(report_type: ReportType, answers: Mapping[str, Any]) -> list[Page]:
    """The pages to show, in order. A page's number is the configured one, so it stays the same in addresses
    while answers elsewhere change; pages whose questions are all hidden are left out."""
    grouped: dict[int, list[Question]] = {}
    for question in visible_questions(report_type, answers):
        grouped.setdefault(question.page, []).append(question)
    return [
        Page(number=number, title=qs[0].page_title or qs[0].label, questions=qs)
        for number, qs in sorted(grouped.items())
    ]


def question_name(question: Question) -> str:
    """The question's label as messages quote it: "When did it happen" (no question mark)."""
    return question.label.strip().rstrip("?").strip()


def _error(question: Question, value: Any) -> str | None:
    """Why this one answer is not acceptable, or None. `value` has been through `_normalise`."""
    kind = question.kind
    if value in ("", [], None):
        if not question.required:
            return None
        if kind == Question.Kind.MULTICHOICE:
            return f'Select at least one option for "{question_name(question)}"'
        if kind in (Question.Kind.CHOICE, Question.Kind.YES_NO):
            return f'Select an option for "{question_name(question)}"'
        return f'Enter an answer for "{question_name(question)}"'
    allowed = {c["value"] for c in choices_of(question)}
    if kind == Question.Kind.MULTICHOICE:
        if not isinstance(value, list) or not set(value) <= allowed:
            return f'Select from the options given for "{question_name(question)}"'
        return None
    if not isinstance(value, str):
        return f'Enter an answer for "{question_name(question)}"'
    if kind in (Question.Kind.CHOICE, Question.Kind.YES_NO):
        return None if value in allowed else f'Select an option for "{question_name(question)}"'
    if kind == Question.Kind.DATE:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return f'"{question_name(question)}" must be a real date'
        if day > timezone.localdate():
            return f'"{question_name(question)}" must be today or in the past'
        if day < EARLIEST_DATE:
            return f'"{question_name(question)}" must be the same as or after 1 January 1900'
        return None
    if kind == Question.Kind.TIME:
        return None if _TIME_RE.match(value) else f'Enter a time like 14:30 for "{question_name(question)}"'
    if kind == Question.Kind.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return f'"{question_name(question)}" must be a number'
        if not number.is_finite() or number < 0 or number > Decimal("1e12"):
            return f'"{question_name(question)}" must be a number, 0 or more'
        return None
    if len(value) > question.max_length:
        return f'"{question_name(question)}" must be {question.max_length} characters or fewer'
    if "\x00" in value:
        return f'"{question_name(question)}" must not contain unusual characters'
    return None


def _normalise(question: Question, value: Any) -> Any:
    if question.kind == Question.Kind.MULTICHOICE:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            return value
        chosen = {str(v) for v in value}
        # Kept in the order the options are offered, whatever order they arrived in.
        ordered = [c["value"] for c in choices_of(question) if c["value"] in chosen]
        return ordered + sorted(chosen - set(ordered))
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n").strip()
        if question.kind == Question.Kind.TIME and re.match(r"^\d:\d\d$", value):
            value = "0" + value
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def validate_answers(
    report_type: ReportType, answers: Mapping[str, Any], *, only: Collection[str] | None = None
) -> dict[str, str]:
    """{question key: error message} for the shown questions (or only those keyed in `only`, e.g. one page's);
    empty when every answer is acceptable. Answers to hidden questions are ignored."""
    errors = {}
    for question in visible_questions(report_type, answers):
        if only is not None and question.key not in only:
            continue
        message = _error(question, _normalise(question, answers.get(question.key)))
        if message:
            errors[question.key] = message
    return errors


def answers_clean(report_type: ReportType, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to keep: shown questions only, trimmed, blanks dropped. Validate first."""
    out = {}
    for question in visible_questions(report_type, answers):
        value = _normalise(question, answers.get(question.key))
        if value not in ("", [], None):
            out[question.key] = value
    return out


def _display(question: Question, value: Any) -> str:
    if value in ("", [], None):
        return ""
    if question.kind in (Question.Kind.CHOICE, Question.Kind.YES_NO, Question.Kind.MULTICHOICE):
        labels = {c["value"]: c["label"] for c in choices_of(question)}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    if question.kind == Question.Kind.DATE and isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day.day} {day:%B %Y}"
    return str(value)


def answers_display(report_type: ReportType, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """[{"key", "label", "answer", "page"}] for every shown question, in order, as text ("" when not answered).
    What "check your answers", `Report.answers_shown` (the staff page and the reporter's status page) show."""
    return [
        {
            "key": q.key,
            "label": q.label,
            "answer": _display(q, _normalise(q, answers.get(q.key))),
            "page": q.page,
        }
        for q in visible_questions(report_type, answers)
    ]
