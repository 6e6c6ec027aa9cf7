"""A survey version's logic, over its frozen definition (plain JSON), with no database: which sections and questions
a person is shown given their answers so far, what a valid answer to each question is, and the canonical form of
a set of answers (its digest is how a retried submission is told from a different one).

The definition:

    {"title", "intro", "privacy_notice",
     "sections": [{"id", "title", "intro", "conditions": [option id, ...],
                   "questions": [{"id", "kind", "text", "hint", "required", "conditions": [option id, ...],
                                  "options": [{"id", "label"}, ...]}]}]}

A condition is an option id of an earlier single or multiple choice question: the section or question is shown
only when every one of its conditions was chosen (and the question it belongs to was itself shown). Answers are a
dict keyed by the question id as a string:

    single: option id · multiple: [option ids] (sorted) · scale5 / scale10: int · grid: {statement id: 1-5}
    text: str · postcode: normalised postcode str
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from openbeat.areas.postcodes import PostcodeError, normalise_postcode

SINGLE, MULTIPLE, SCALE_5, SCALE_10, GRID, TEXT, POSTCODE = (
    "single",
    "multiple",
    "scale5",
    "scale10",
    "grid",
    "text",
    "postcode",
)
CHOICE_KINDS = (SINGLE, MULTIPLE)
SCALES = {SCALE_5: (1, 5), SCALE_10: (0, 10), GRID: (1, 5)}
GRID_LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}
TEXT_MAX = 2000

Definition = dict[str, Any]
Answers = dict[str, Any]


class AnswerError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def questions(definition: Definition) -> list[dict[str, Any]]:
    return [q for section in definition["sections"] for q in section["questions"]]


def _walk(definition: Definition, answers: Answers) -> list[dict[str, Any]]:
    """The sections shown, in order, each with only its shown questions. Conditions look only at earlier questions
    that were themselves shown, so one pass in order decides everything (a hidden question's answer counts for
    nothing, and a condition on a later question is never met)."""
    chosen: set[int] = set()
    shown = []
    for section in definition["sections"]:
        if not all(option in chosen for option in section.get("conditions", [])):
            continue
        kept = []
        for question in section["questions"]:
            if not all(option in chosen for option in question.get("conditions", [])):
                continue
            kept.append(question)
            if question["kind"] in CHOICE_KINDS:
                try:
                    value = clean_answer(question, answers.get(str(question["id"])))
                except AnswerError:
                    continue
                chosen.update(value if isinstance(value, list) else [value] if value is not None else [])
        if kept:
            shown.append({**section, "questions": kept})
    return shown


def visible_sections(definition: Definition, answers: Answers) -> list[dict[str, Any]]:
    """The sections shown, each with only its shown questions; a section left with no question is skipped."""
    return _walk(definition, answers)


def visible_questions(definition: Definition, answers: Answers) -> list[dict[str, Any]]:
    return [q for section in _walk(definition, answers) for q in section["questions"]]


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def clean_answer(question: dict[str, Any], value: Any) -> Any:
    """`value` as stored, or AnswerError saying what is wrong. A blank value is None (required is checked apart)."""
    if is_blank(value):
        return None
    kind = question["kind"]
    option_ids = {option["id"] for option in question.get("options", [])}
    if kind == SINGLE:
        if not isinstance(value, int) or isinstance(value, bool) or value not in option_ids:
            raise AnswerError("Choose an answer from the list")
        return value
    if kind == MULTIPLE:
        if not isinstance(value, list) or any(
            not isinstance(v, int) or isinstance(v, bool) or v not in option_ids for v in value
        ):
            raise AnswerError("Choose answers from the list")
        return sorted(set(value))
    if kind in (SCALE_5, SCALE_10):
        low, high = SCALES[kind]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise AnswerError(f"Choose a number from {low} to {high}")
        return value
    if kind == GRID:
        if not isinstance(value, dict):
            raise AnswerError("Choose an answer for each statement")
        cleaned = {}
        for key, number in value.items():
            if not str(key).isdigit() or int(key) not in option_ids:
                raise AnswerError("Choose an answer for each statement")
            if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 5:
                raise AnswerError("Choose an answer for each statement")
            cleaned[str(int(key))] = number
        return dict(sorted(cleaned.items(), key=lambda item: int(item[0])))
    if kind == TEXT:
        if not isinstance(value, str):
            raise AnswerError("Enter your answer as text")
        text = value.strip()
        if len(text) > TEXT_MAX:
            raise AnswerError(f"Your answer must be {TEXT_MAX} characters or fewer")
        return text or None
    if kind == POSTCODE:
        if not isinstance(value, str):
            raise AnswerError("Enter a full UK postcode")
        try:
            return normalise_postcode(value)
        except PostcodeError as error:
            raise AnswerError(error.message) from error
    raise AnswerError("This question cannot be answered")


def missing_message(question: dict[str, Any]) -> str:
    kind = question["kind"]
    if kind == GRID:
        return "Choose an answer for each statement"
    if kind in (TEXT, POSTCODE):
        return "Enter your postcode" if kind == POSTCODE else "Enter your answer"
    if kind == MULTIPLE:
        return "Choose at least one answer"
    return "Choose an answer"


def question_errors(question: dict[str, Any], value: Any) -> tuple[Any, str | None]:
    """(cleaned value, error message or None) for one question."""
    try:
        cleaned = clean_answer(question, value)
    except AnswerError as error:
        return None, error.message
    if question.get("required"):
        if cleaned is None:
            return None, missing_message(question)
        if question["kind"] == GRID and len(cleaned) < len(question.get("options", [])):
            return cleaned, missing_message(question)
    return cleaned, None


def validate(definition: Definition, answers: Answers) -> tuple[Answers, dict[str, str]]:
    """(the canonical answers, errors by question id). Answers to questions not shown, or not in the version, are
    dropped: a condition changed after answering leaves no stray answer behind."""
    if not isinstance(answers, dict):
        return {}, {"": "The answers are not in the expected form"}
    cleaned: Answers = {}
    errors: dict[str, str] = {}
    for question in visible_questions(definition, answers):
        key = str(question["id"])
        value, error = question_errors(question, answers.get(key))
        if error:
            errors[key] = error
        elif value is not None:
            cleaned[key] = value
    return cleaned, errors


def answers_digest(version_id: int, answers: Answers) -> str:
    """Equal for equal answers to the same version, whatever their order or how lists were ordered when sent."""
    canonical = json.dumps({"version": version_id, "answers": answers}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def option_labels(definition: Definition) -> dict[int, str]:
    return {option["id"]: option["label"] for q in questions(definition) for option in q.get("options", [])}


def condition_problems(definition: Definition) -> list[str]:
    """Conditions that can never be met because their option is not in an earlier choice question: for publishing."""
    seen: set[int] = set()
    problems = []
    for section in definition["sections"]:
        for option in section.get("conditions", []):
            if option not in seen:
                problems.append(f"Section '{section['title']}' depends on an answer that does not come before it")
        for question in section["questions"]:
            for option in question.get("conditions", []):
                if option not in seen:
                    problems.append(f"Question '{question['text']}' depends on an answer that does not come before it")
            if question["kind"] in CHOICE_KINDS:
                seen.update(o["id"] for o in question.get("options", []))
    return problems
