"""Reads of surveys: the definition as it stands, what a staff user may see, and results.

Results are one GROUP BY over `Answer` (question, option, value, and the breakdown's column) with the filters on
its own indexed columns, plus one count of responses; the counts then go through `suppression.suppress` per
question, so that no figure below the force's minimum (`SURVEYS_SMALL_NUMBER_MIN`, default 10) is shown, nor one
that could be worked out from those shown. Fewer responses than the minimum in the filtered set: nothing at all.

Who sees what: staff with `surveys.view_survey_results` see their division's surveys' results in full; a
force-wide survey's results are seen whole by force-wide staff, and by division staff for their own division's
responses only (`results_divisions`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.metric_sources import small_number_minimum as core_small_number_minimum
from openbeat.core.users import RequestUser
from openbeat.insights.structure import Chart
from openbeat.staff.scope import scope_for
from openbeat.surveys import logic
from openbeat.surveys.models import Answer, Channel, Response, ResponseConflict, Survey, SurveyVersion
from openbeat.surveys.suppression import Suppressed, suppress

BREAKDOWNS = {"": "No breakdown", "division": "Division", "neighbourhood": "Neighbourhood"}
NOT_KNOWN = "Not known"


def small_number_minimum() -> int:
    return core_small_number_minimum()


def definition_of(survey: Survey) -> dict[str, Any]:
    """The survey's definition from its builder rows, in the form versions freeze (logic's docstring)."""
    sections = list(survey.sections.prefetch_related("conditions", "questions__options", "questions__conditions"))
    return {
        "title": survey.title,
        "intro": survey.intro,
        "privacy_notice": survey.privacy_notice,
        "sections": [
            {
                "id": section.pk,
                "title": section.title,
                "intro": section.intro,
                "conditions": [c.option_id for c in section.conditions.all()],
                "questions": [
                    {
                        "id": question.pk,
                        "kind": question.kind,
                        "text": question.text,
                        "hint": question.hint,
                        "required": question.required,
                        "conditions": [c.option_id for c in question.conditions.all()],
                        "options": [{"id": o.pk, "label": o.label} for o in question.options.all()],
                    }
                    for question in section.questions.all()
                ],
            }
            for section in sections
        ],
    }


def has_unpublished_changes(survey: Survey) -> bool:
    version = survey.current_version
    return version is None or version.definition != definition_of(survey)


def open_survey(slug: str) -> tuple[Survey, SurveyVersion] | None:
    """The survey residents may answer at `slug` (open, with a published version), else None."""
    survey = Survey.objects.select_related("current_version").filter(slug=slug[:80]).first()
    if survey is None or survey.current_version is None or survey.state == Survey.State.DRAFT:
        return None
    return survey, survey.current_version


def surveys_for(user: RequestUser) -> QuerySet[Survey]:
    """Surveys a staff user may see: their division's and the force-wide ones (force-wide staff: all)."""
    if user is None or not user.is_authenticated:
        return Survey.objects.none()
    if not (user.has_perm("surveys.manage_survey") or user.has_perm("surveys.view_survey_results")):
        return Survey.objects.none()
    queryset = Survey.objects.select_related("division", "current_version")
    scope = scope_for(user)
    if scope.force_wide:
        return queryset
    return queryset.filter(Q(division__in=scope.division_ids) | Q(division__isnull=True))


def results_divisions(user: RequestUser, survey: Survey) -> frozenset[int] | None:
    """None: every response; else the divisions whose responses the user may see (empty: none)."""
    if user is None or not user.is_authenticated or not user.has_perm("surveys.view_survey_results"):
        return frozenset()
    scope = scope_for(user)
    if scope.force_wide:
        return None
    if survey.division_id is not None:
        return None if scope.allows_division(survey.division_id) else frozenset()
    return scope.division_ids


def results_can_view(user: RequestUser, survey: Survey) -> bool:
    allowed = results_divisions(user, survey)
    return allowed is None or bool(allowed)


@dataclass(frozen=True)
class Filters:
    neighbourhood: int | None = None
    division: int | None = None
    channel: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    breakdown: str = ""

    def q(self, divisions: frozenset[int] | None) -> Q:
        q = Q()
        if divisions is not None:
            q &= Q(division_id__in=divisions)
        if self.neighbourhood:
            q &= Q(neighbourhood_id=self.neighbourhood)
        if self.division:
            q &= Q(division_id=self.division)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.since:
            q &= Q(submitted_at__gte=timezone.make_aware(datetime.combine(self.since, time.min)))
        if self.until:
            q &= Q(submitted_at__lt=timezone.make_aware(datetime.combine(self.until + timedelta(days=1), time.min)))
        return q


@dataclass
class QuestionTable:
    key: str  # stable per survey, e.g. "q12" or "q12-s34" for a grid's statement
    title: str
    row_labels: list[str]
    column_labels: list[str]
    figures: Suppressed

    def chart(self) -> Chart:
        return Chart(
            kind="bar",
            title=self.title,
            x=self.row_labels,
            series=[("Answers", [None if v is None else float(v) for v in self.figures.row_totals])],
            y_label="Answers",
        )


@dataclass
class Results:
    survey: Survey
    filters: Filters
    minimum: int
    responses: int | None  # None: fewer than the minimum, so nothing is shown
    tables: list[QuestionTable] = field(default_factory=list)
    texts: dict[int, list[Answer]] = field(default_factory=dict)  # question id -> free-text answers
    text_questions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def withheld(self) -> bool:
        return self.responses is None


def _labels(survey: Survey) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """The questions of the current version, and option labels from every version (newest wins), so that answers
    to an option removed later are still named."""
    versions = list(survey.versions.order_by("number"))
    labels: dict[int, str] = {}
    for version in versions:
        labels.update(logic.option_labels(version.definition))
    current = survey.current_version or (versions[-1] if versions else None)
    return (logic.questions(current.definition) if current else []), labels


def _group_labels(breakdown: str, keys: set[int | None]) -> dict[int | None, str]:
    model = Division if breakdown == "division" else Neighbourhood
    names = dict(model.objects.filter(pk__in=[k for k in keys if k is not None]).values_list("pk", "name"))
    return {key: names.get(key, NOT_KNOWN) if key is not None else NOT_KNOWN for key in keys}


def survey_results(
    survey: Survey, *, filters: Filters | None = None, divisions: frozenset[int] | None = None
) -> Results:
    """Counts per question under `filters`, limited to `divisions` (results_divisions), small numbers suppressed."""
    filters = filters or Filters()
    minimum = small_number_minimum()
    where = filters.q(divisions)
    responses = Response.objects.filter(where, survey=survey).count()
    results = Results(survey=survey, filters=filters, minimum=minimum, responses=responses)
    if responses < minimum:
        results.responses = None
        return results
    group = {"division": "division_id", "neighbourhood": "neighbourhood_id"}.get(filters.breakdown)
    # The breakdown's column first, so that the GROUP BY follows the covering index's order (no sort).
    columns = [*([group] if group else []), "question_id", "option_id", "value"]
    counts: dict[int, dict[tuple[int | None, int | None], dict[Any, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    groups: set[int | None] = set()
    rows = (
        # Free-text answers come out as (question, None, None) and are not tabulated.
        Answer.objects.filter(where, survey=survey).values_list(*columns).annotate(n=Count("id")).order_by()
    )
    for row in rows:
        key = row[0] if group else 0
        question_id, option_id, value = row[-4], row[-3], row[-2]
        groups.add(key)
        counts[question_id][(option_id, value)][key] += row[-1]
    group_keys = sorted(groups, key=lambda k: (k is None, k or 0))
    group_names: dict[int | None, str] = _group_labels(filters.breakdown, set(group_keys)) if group else {0: "All"}
    column_labels = [group_names[k] for k in group_keys] or ["All"]
    group_keys = group_keys or [0]
    questions, labels = _labels(survey)

    def table(key: str, title: str, values: list[tuple[tuple[int | None, int | None], str]], found: Any) -> None:
        cells = [[found[value].get(g, 0) for g in group_keys] for value, _ in values]
        results.tables.append(
            QuestionTable(
                key=key,
                title=title,
                row_labels=[label for _, label in values],
                column_labels=column_labels,
                figures=suppress(cells, minimum=minimum),
            )
        )

    for question in questions:
        qid, kind = question["id"], question["kind"]
        found = counts.get(qid, {})
        found = defaultdict(dict, {k: dict(v) for k, v in found.items()})
        if kind in logic.CHOICE_KINDS:
            option_ids = [o["id"] for o in question["options"]]
            option_ids += sorted({o for o, _ in found if o is not None and o not in option_ids})
            table(f"q{qid}", question["text"], [((o, None), labels.get(o, f"Answer {o}")) for o in option_ids], found)
        elif kind in (logic.SCALE_5, logic.SCALE_10):
            low, high = logic.SCALES[kind]
            table(f"q{qid}", question["text"], [((None, n), str(n)) for n in range(low, high + 1)], found)
        elif kind == logic.GRID:
            for statement in question["options"]:
                table(
                    f"q{qid}-s{statement['id']}",
                    f"{question['text']}: {statement['label']}",
                    [((statement["id"], n), logic.GRID_LABELS[n]) for n in range(1, 6)],
                    found,
                )
        elif kind == logic.TEXT:
            results.text_questions.append(question)
    return results


def text_answers(
    survey: Survey,
    question_id: int,
    *,
    filters: Filters | None = None,
    divisions: frozenset[int] | None = None,
    include_unmoderated: bool = True,
    limit: int = 200,
) -> list[Answer]:
    """Free-text answers to one question, newest first: every one for moderators, else only those shown."""
    filters = filters or Filters()
    queryset = Answer.objects.filter(filters.q(divisions), survey=survey, question_id=question_id).exclude(text="")
    if not include_unmoderated:
        queryset = queryset.filter(moderation=Answer.Moderation.SHOWN)
    return list(queryset.order_by("-submitted_at", "-pk")[:limit])


def conflicts(survey: Survey) -> QuerySet[ResponseConflict]:
    return ResponseConflict.objects.filter(response__survey=survey, resolved=False).order_by("-received_at")


def channel_choices() -> list[tuple[str, str]]:
    return [("", "Any channel"), *Channel.choices]


# --- distribution: conflict review, In the Know's response rate (helper "distribution") -----------------------


def stored_answers(response: Response) -> dict[str, Any]:
    """A response's answers as a submission carries them, rebuilt from its Answer rows (postcodes are not kept:
    only the neighbourhood they gave)."""
    kinds = {q["id"]: q["kind"] for q in logic.questions(response.version.definition)}
    answers: dict[str, Any] = {}
    for row in response.answers.order_by("pk"):
        key, kind = str(row.question_id), kinds.get(row.question_id)
        if kind == logic.MULTIPLE:
            answers.setdefault(key, []).append(row.option_id)
        elif kind == logic.GRID:
            answers.setdefault(key, {})[str(row.option_id)] = row.value
        elif kind == logic.TEXT:
            answers[key] = row.text
        elif kind in (logic.SCALE_5, logic.SCALE_10):
            answers[key] = row.value
        else:
            answers[key] = row.option_id
    return answers


def conflict_rows(conflict: ResponseConflict) -> list[dict[str, Any]]:
    """The stored answers beside the conflicting ones, question by question (the questions of both versions)."""
    from openbeat.surveys.forms import display_answer

    response = conflict.response
    stored = stored_answers(response)
    questions = {q["id"]: q for q in logic.questions(response.version.definition)}
    for question in logic.questions(conflict.version.definition):
        questions.setdefault(question["id"], question)
    rows = []
    for qid, question in questions.items():
        before, after = stored.get(str(qid)), conflict.answers.get(str(qid))
        if question["kind"] == logic.POSTCODE:
            shown_before = "Not kept (only its neighbourhood)" if response.neighbourhood_id else "Not answered"
        else:
            shown_before = display_answer(question, before)
        rows.append(
            {
                "question": question["text"],
                "stored": shown_before,
                "conflicting": display_answer(question, after),
                "differs": question["kind"] != logic.POSTCODE and before != after,
            }
        )
    return rows


def conflicts_for_review(survey: Survey, divisions: frozenset[int] | None, *, resolved: bool) -> list[ResponseConflict]:
    queryset = ResponseConflict.objects.filter(response__survey=survey, resolved=resolved).select_related(
        "response__version", "version", "submitted_by", "resolved_by"
    )
    if divisions is not None:
        queryset = queryset.filter(response__division_id__in=divisions)
    order = ("-resolved_at", "-pk") if resolved else ("received_at", "pk")
    return list(queryset.order_by(*order)[:100])


def open_conflict_count(survey: Survey) -> int:
    return ResponseConflict.objects.filter(response__survey=survey, resolved=False).count()


@dataclass(frozen=True)
class InvitationRate:
    invited: int | None  # the alerts' audiences (sent or sending); None when fewer than the minimum
    responses: int | None  # In the Know responses; None when fewer than the small-number minimum
    rate: float | None  # responses / invited, as a percentage


def invitation_rate(survey: Survey, *, divisions: frozenset[int] | None) -> InvitationRate | None:
    """How many residents In the Know invited (the alerts' audiences) against how many answered by their link.
    None when the survey was never sent by In the Know, or for a user who sees only some divisions' responses
    (the audience is not split by division). Small numbers are withheld, as in the results."""
    from openbeat.surveys.models import SurveyInvitation

    if divisions is not None:
        return None
    invitations = SurveyInvitation.objects.filter(survey=survey, alert__state__in=["sending", "sent"]).select_related(
        "alert"
    )
    alerts = [invitation.alert for invitation in invitations]
    if not alerts:
        return None
    invited = sum(alert.audience_subscribers for alert in alerts)
    answered = Response.objects.filter(survey=survey, channel=Channel.IN_THE_KNOW).exclude(recipient_key="").count()
    minimum = small_number_minimum()
    if invited < minimum:  # an alert to a small (e.g. demographic) group: its size is not shown
        return InvitationRate(invited=None, responses=None, rate=None)
    if answered < minimum:
        return InvitationRate(invited=invited, responses=None, rate=None)
    return InvitationRate(invited=invited, responses=answered, rate=100 * answered / invited if invited else None)
