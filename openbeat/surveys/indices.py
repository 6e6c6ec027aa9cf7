"""Indices the force defines from chosen survey questions ("Confidence in local policing", "Satisfaction"): building
them (services, audited), who sees them (selectors), and their scores per area and month or quarter.

Scoring. Each component is one question: a scale mapped linearly to 0-100 (1-5: 1 is 0 and 5 is 100; 0-10 alike);
a single choice question or a grid statement with a score per option (or per grid answer 1-5) set by staff, where
an option with no score ("Don't know") is left out. A respondent's score is the weighted mean of their scored
answers in the index; a group's (an area in a month or a quarter) is the mean over its respondents with at least one
scored answer, with n those respondents.

In the database. The scoring is one CASE expression per answer (a WHEN per component, and per scored option), so
the whole computation is two aggregate levels over `Answer` and its covering columns, whatever the number of
responses: per response (its weighted sum and weight, its area and time), then per group (the sum of respondents'
scores and their count). Means of larger groups (a division over a year, the force) are worked out exactly from
those sums and counts, never as a mean of means.

Precomputed. Over every answer that takes seconds at a million responses, so the pages do not run it: the groups
are stored finely, per survey, day (in the force's time zone), neighbourhood and division (`SurveyIndexCell`,
`cells_refresh`), and a table for any areas, months or quarters and dates is a small sum over those rows. They are
brought up to date in the background: a change of an index's questions recomputes all of it (a task, after the
commit); a response stored, replaced or deleted marks its survey's month (`responses_changed`, in the change's own
transaction) and the scheduler's `survey_indices` job recomputes the marked months every few minutes
(`cells_refresh_due`). The page says when its figures are from (`SurveyIndex.figures_at`). An index never computed
(or whose questions just changed) is computed on the spot when its surveys are small (at most
SURVEYS_INDEX_SYNC_LIMIT responses, well under a second); a larger one says it is being calculated until the task
or the job has done it, rather than keep a request waiting for the whole computation. `index_cells` is the direct
computation from `Answer`: the reference the tests hold the cells to, and the fallback for a window the days
cannot express.

Small numbers. A group with fewer respondents than the force's minimum (`selectors.small_number_minimum`) has no
score shown, ever. A mean cannot be subtracted back as a count can, but n can: where n is shown, the table of n
goes through `suppression.suppress` (complementary suppression), as survey results do.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, cast

from django.conf import settings
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, F, FloatField, Max, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils import timezone

from openbeat.areas.models import Division, Neighbourhood
from openbeat.audit.services import log_action
from openbeat.core.metric_sources import Figure
from openbeat.core.months import month_ends_at, month_starts_at
from openbeat.core.tasks import enqueue_with_commit
from openbeat.core.users import RequestUser, StaffUser
from openbeat.staff.scope import scope_for
from openbeat.surveys import logic
from openbeat.surveys.models import (
    Answer,
    Response,
    Survey,
    SurveyIndex,
    SurveyIndexCell,
    SurveyIndexComponent,
    SurveyIndexDirtyMonth,
)
from openbeat.surveys.selectors import small_number_minimum, surveys_for
from openbeat.surveys.suppression import Suppressed, suppress

SCORED_KINDS = (logic.SCALE_5, logic.SCALE_10, logic.SINGLE, logic.GRID)
# The usual scores of a grid's answers (staff may change them): strongly agree 100 ... strongly disagree 0.
GRID_DEFAULT_SCORES = {"1": 0.0, "2": 25.0, "3": 50.0, "4": 75.0, "5": 100.0}
By = Literal["force", "division", "neighbourhood"]
Period = Literal["month", "quarter"]
METRIC_PREFIX = "index-"
NOT_KNOWN = "Not known"
DELETE_CHUNK = 500  # marks deleted per statement (well inside SQLite's limit on a statement's parameters)

logger = logging.getLogger(__name__)


class IndexPermissionError(PermissionDenied):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- who may do what ------------------------------------------------------------------------------------------


def index_can_manage(user: RequestUser, index: SurveyIndex | None = None, *, division: Division | None = None) -> bool:
    """Build an index: `surveys.manage_survey`, and the index's division in scope (force-wide: force-wide staff)."""
    if user is None or not user.is_authenticated or not user.has_perm("surveys.manage_survey"):
        return False
    scope = scope_for(user)
    division_id = index.division_id if index is not None else (division.pk if division is not None else None)
    return scope.force_wide if division_id is None else scope.allows_division(division_id)


def indices_for(user: RequestUser) -> QuerySet[SurveyIndex]:
    """Indices a staff user may see: their division's and the force-wide ones (force-wide staff: all)."""
    if user is None or not user.is_authenticated:
        return SurveyIndex.objects.none()
    if not (user.has_perm("surveys.manage_survey") or user.has_perm("surveys.view_survey_results")):
        return SurveyIndex.objects.none()
    queryset = SurveyIndex.objects.select_related("division")
    scope = scope_for(user)
    if scope.force_wide:
        return queryset
    return queryset.filter(Q(division__in=scope.division_ids) | Q(division__isnull=True))


def index_divisions(user: RequestUser) -> frozenset[int] | None:
    """Whose respondents a user's index scores cover: None for everyone (force-wide staff), else their divisions'."""
    if user is None or not user.is_authenticated or not user.has_perm("surveys.view_survey_results"):
        return frozenset()
    scope = scope_for(user)
    return None if scope.force_wide else scope.division_ids


# --- the questions an index can use ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A question (or a grid's statement) of a published survey that can be scored."""

    survey_id: int
    question_id: int
    statement_id: int | None
    kind: str
    label: str
    options: tuple[tuple[int, str], ...]  # (option id, label) of a single choice question; grid: answers 1-5

    @property
    def key(self) -> str:
        return f"{self.survey_id}:{self.question_id}:{self.statement_id or ''}"


def candidates(surveys: Iterable[Survey]) -> list[Candidate]:
    """Every scorable question of these surveys' published versions (scales, single choices, grid statements)."""
    out = []
    for survey in surveys:
        version = survey.current_version
        if version is None:
            continue
        for question in logic.questions(version.definition):
            kind, text = question["kind"], f"{survey.title}: {question['text']}"
            if kind in (logic.SCALE_5, logic.SCALE_10):
                out.append(Candidate(survey.pk, question["id"], None, kind, text, ()))
            elif kind == logic.SINGLE:
                options = tuple((o["id"], o["label"]) for o in question["options"])
                out.append(Candidate(survey.pk, question["id"], None, kind, text, options))
            elif kind == logic.GRID:
                answers = tuple(logic.GRID_LABELS.items())
                for statement in question["options"]:
                    label = f"{text}: {statement['label']}"
                    out.append(Candidate(survey.pk, question["id"], statement["id"], kind, label, answers))
    return out


def candidates_for(user: RequestUser) -> list[Candidate]:
    return candidates(surveys_for(user).exclude(current_version=None).order_by("title"))


# --- services -------------------------------------------------------------------------------------------------


def _check(actor: StaffUser, index: SurveyIndex | None = None, *, division: Division | None = None) -> None:
    if not index_can_manage(actor, index, division=division):
        raise IndexPermissionError(
            "Only force-wide staff can change a force-wide index"
            if (index is None and division is None) or (index is not None and index.division_id is None)
            else "You can only change your own division's indices"
        )


def index_create(
    *,
    actor: StaffUser,
    name: str,
    slug: str,
    description: str = "",
    division: Division | None = None,
    request: HttpRequest | None = None,
) -> SurveyIndex:
    _check(actor, division=division)
    if SurveyIndex.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "Another index has this short name: choose another"})
    index = SurveyIndex.objects.create(
        name=name, slug=slug, description=description, division=division, created_by=actor
    )
    log_action("surveys.index.create", actor=actor, target=index, request=request, data={"slug": slug})
    return index


def index_update(
    *,
    index: SurveyIndex,
    actor: StaffUser,
    name: str,
    slug: str,
    description: str = "",
    division: Division | None = None,
    request: HttpRequest | None = None,
) -> SurveyIndex:
    _check(actor, index)
    _check(actor, division=division)
    if SurveyIndex.objects.filter(slug=slug).exclude(pk=index.pk).exists():
        raise ValidationError({"slug": "Another index has this short name: choose another"})
    index.name, index.slug, index.description, index.division = name, slug, description, division
    index.save()
    log_action("surveys.index.change", actor=actor, target=index, request=request)
    return index


def index_delete(*, index: SurveyIndex, actor: StaffUser, request: HttpRequest | None = None) -> None:
    _check(actor, index)
    log_action("surveys.index.delete", actor=actor, target=index, request=request, data={"slug": index.slug})
    index.delete()


def _clean_scores(candidate: Candidate, scores: dict[str, float | None]) -> dict[str, float]:
    if candidate.kind in (logic.SCALE_5, logic.SCALE_10):
        return {}
    allowed = {str(key) for key, _ in candidate.options}
    cleaned = {}
    for key, score in scores.items():
        if score is None:
            continue
        if str(key) not in allowed:
            raise ValidationError({"scores": f"{key} is not an answer to this question"})
        if not 0 <= float(score) <= 100:
            raise ValidationError({"scores": "Scores are from 0 to 100"})
        cleaned[str(key)] = float(score)
    if not cleaned:
        raise ValidationError({"scores": "Give at least one answer a score"})
    return cleaned


def component_save(
    *,
    index: SurveyIndex,
    actor: StaffUser,
    candidate: Candidate,
    scores: dict[str, float | None] | None = None,
    weight: float = 1.0,
    component: SurveyIndexComponent | None = None,
    request: HttpRequest | None = None,
) -> SurveyIndexComponent:
    """Add a scored question to the index, or change one's scores and weight (`component`)."""
    _check(actor, index)
    if candidate.key not in {c.key for c in candidates_for(actor)}:
        raise IndexPermissionError("You cannot use this survey's questions")
    if weight <= 0:
        raise ValidationError({"weight": "The weight must be more than 0"})
    cleaned = _clean_scores(candidate, scores or {})
    same = SurveyIndexComponent.objects.filter(
        index=index,
        survey_id=candidate.survey_id,
        question_id=candidate.question_id,
        statement_id=candidate.statement_id,
    )
    if component is not None:
        same = same.exclude(pk=component.pk)
    if same.exists():
        raise ValidationError({"question": "This question is already in the index"})
    with transaction.atomic():
        if component is None:
            position = (index.components.aggregate(m=Max("position"))["m"] or 0) + 1
            component = SurveyIndexComponent(index=index, position=position)
        component.survey_id = candidate.survey_id
        component.question_id = candidate.question_id
        component.statement_id = candidate.statement_id
        component.kind = candidate.kind
        component.label = candidate.label[:400]
        component.scores = cleaned
        component.weight = weight
        component.save()
        _definition_changed(index)
    log_action("surveys.index.component", actor=actor, target=index, request=request, data={"question": candidate.key})
    return component


def _definition_changed(index: SurveyIndex) -> None:
    """The index's cells score the old questions: no figures until they are recomputed, queued after the commit."""
    from openbeat.surveys.tasks import index_cells_refresh

    SurveyIndex.objects.filter(pk=index.pk).update(updated_at=timezone.now(), figures_at=None)
    enqueue_with_commit(index_cells_refresh, index.pk)


def component_remove(*, component: SurveyIndexComponent, actor: StaffUser, request: HttpRequest | None = None) -> None:
    _check(actor, component.index)
    log_action(
        "surveys.index.component_remove",
        actor=actor,
        target=component.index,
        request=request,
        data={"question": component.question_id},
    )
    with transaction.atomic():
        component.delete()
        _definition_changed(component.index)


# --- scores ---------------------------------------------------------------------------------------------------


def _scoring(components: Iterable[SurveyIndexComponent]) -> tuple[Q, Case, Case] | None:
    """(which answers count, their score, their weight) as SQL expressions; None when nothing is scored."""
    where, scores, weights = Q(), [], []
    for c in components:
        base = Q(survey_id=c.survey_id, question_id=c.question_id)
        if c.kind == logic.GRID:
            base &= Q(option_id=c.statement_id)
        if c.kind in (logic.SCALE_5, logic.SCALE_10):
            low, high = logic.SCALES[c.kind]
            scaled = (Cast(F("value"), FloatField()) - Value(float(low))) * Value(100.0 / (high - low))
            scores.append(When(base & Q(value__gte=low, value__lte=high), then=scaled))
        elif c.kind == logic.SINGLE:
            scores += [When(base & Q(option_id=int(k)), then=Value(float(v))) for k, v in c.scores.items()]
        elif c.kind == logic.GRID:
            scores += [When(base & Q(value=int(k)), then=Value(float(v))) for k, v in c.scores.items()]
        else:
            continue
        weights.append(When(base, then=Value(float(c.weight))))
        where |= base
    if not scores:
        return None
    return (
        where,
        Case(*scores, default=None, output_field=FloatField()),
        Case(*weights, default=Value(0.0), output_field=FloatField()),
    )


@dataclass(frozen=True)
class Window:
    """Which respondents: limited to `divisions` (index_divisions), an area, and dates (inclusive)."""

    divisions: frozenset[int] | None = None
    division: int | None = None
    neighbourhood: int | None = None
    since: date | None = None
    until: date | None = None
    start: datetime | None = None  # or exact instants (the metric source's months)
    end: datetime | None = None

    def q(self) -> Q:
        q = Q()
        if self.divisions is not None:
            q &= Q(division_id__in=self.divisions)
        if self.division:
            q &= Q(division_id=self.division)
        if self.neighbourhood:
            q &= Q(neighbourhood_id=self.neighbourhood)
        if self.since:
            q &= Q(submitted_at__gte=timezone.make_aware(datetime.combine(self.since, time.min)))
        if self.until:
            q &= Q(submitted_at__lt=timezone.make_aware(datetime.combine(self.until + timedelta(days=1), time.min)))
        if self.start:
            q &= Q(submitted_at__gte=self.start)
        if self.end:
            q &= Q(submitted_at__lt=self.end)
        return q


Cells = dict[tuple[int | None, str], tuple[float, int]]  # (area id or None, "YYYY-MM") -> (sum of scores, n)
AREA_COLUMNS = {"division": "division_id", "neighbourhood": "neighbourhood_id"}


def _per_response(components: Iterable[SurveyIndexComponent], q: Q, *group: str) -> QuerySet[Answer, Any] | None:
    """The first aggregate level: each response's weighted sum of scores, sum of weights and time, over its scored
    answers matching `q`, with the `group` columns. Shared by the direct computation and the cells' refresh, so
    that both score a respondent alike; None when the index scores nothing."""
    scoring = _scoring(components)
    if scoring is None:
        return None
    where, score, weight = scoring
    return (
        Answer.objects.filter(where & q)
        .annotate(score=score, weight=weight)
        .filter(score__isnull=False)
        .values("response_id", *group)
        .annotate(weighted=Sum(F("score") * F("weight")), weights=Sum("weight"), at=Min("submitted_at"))
        .order_by()
    )


def index_cells(
    index: SurveyIndex, *, by: By = "division", period: Period = "month", window: Window | None = None
) -> Cells:
    """{(area, period's first month): (sum of respondents' scores, respondents)}: two aggregate levels in SQL.

    The direct computation over every answer: the reference the stored cells are held to (tests), and the fallback
    for a window they cannot express. The pages read `index_cells_stored`."""
    column = AREA_COLUMNS.get(by)
    per_response = _per_response(index.components.all(), (window or Window()).q(), *([column] if column else []))
    if per_response is None:
        return {}
    try:
        inner, params = per_response.query.sql_with_params()
    except EmptyResultSet:  # a window that matches nothing (no divisions at all)
        return {}
    # The period is cut from each response's time once (not from each answer's), in the backend's own SQL for
    # Django's TruncMonth/TruncQuarter, in the site's time zone.
    tzname = timezone.get_current_timezone_name() if settings.USE_TZ else None
    trunc, trunc_params = cast(
        tuple[str, tuple[Any, ...]], connection.ops.datetime_trunc_sql(period, "r.at", (), tzname)
    )
    area = f"r.{connection.ops.quote_name(column)}" if column else "NULL"
    group = "1, 2" if column else "2"
    sql = f"SELECT {area}, {trunc}, SUM(r.weighted / r.weights), COUNT(*) FROM ({inner}) r GROUP BY {group}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, (*trunc_params, *params))
        rows = cursor.fetchall()
    # The period comes back as a datetime (PostgreSQL) or text (SQLite): its first 7 characters are the month.
    return {(key, str(start)[:7]): (float(total), int(n)) for key, start, total, n in rows}


# --- the precomputed cells: refreshed in the background, read by the pages ---------------------------------------


def _month_of(instant: datetime) -> str:
    """The month an instant falls in, in the force's time zone (the cells' days are the force's days)."""
    return timezone.localtime(instant, timezone.get_default_timezone()).strftime("%Y-%m")


def _months_q(months: Iterable[str]) -> Q:
    q = Q(pk__in=[])
    for month in months:
        q |= Q(submitted_at__gte=month_starts_at(month), submitted_at__lt=month_ends_at(month))
    return q


def _cell_rows(
    components: Iterable[SurveyIndexComponent], q: Q
) -> list[tuple[int, int | None, int | None, date, float, int]]:
    """(survey, neighbourhood, division, day, sum of respondents' scores, respondents) of the answers matching `q`:
    the direct computation's two levels, the second grouped by the finest group any table needs."""
    per_response = _per_response(components, q, "survey_id", "neighbourhood_id", "division_id")
    if per_response is None:
        return []
    try:
        inner, params = per_response.query.sql_with_params()
    except EmptyResultSet:  # no months
        return []
    day, day_params = cast(
        tuple[str, tuple[Any, ...]],
        connection.ops.datetime_cast_date_sql("r.at", (), timezone.get_current_timezone_name()),
    )
    sql = (
        f"SELECT r.survey_id, r.neighbourhood_id, r.division_id, {day}, SUM(r.weighted / r.weights), COUNT(*) "  # noqa: S608
        f"FROM ({inner}) r GROUP BY 1, 2, 3, 4"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*day_params, *params))
        rows = cursor.fetchall()
    # The day comes back as a date (PostgreSQL) or text (SQLite).
    return [
        (survey, neighbourhood, division, on if isinstance(on, date) else date.fromisoformat(str(on)[:10]),
         float(total), int(n))
        for survey, neighbourhood, division, on, total, n in rows
    ]  # fmt: skip


def _definition(components: Iterable[SurveyIndexComponent]) -> list[tuple[Any, ...]]:
    return [(c.pk, c.survey_id, c.question_id, c.statement_id, c.kind, c.weight, sorted(c.scores.items()))
            for c in components]  # fmt: skip


def _cells_insert(index_id: int, rows: list[tuple[int, int | None, int | None, date, float, int]]) -> None:
    # One executemany rather than bulk_create, whose building of the statement for thousands of rows costs more
    # than the computation itself.
    names = ("index_id", "survey_id", "month", "day", "neighbourhood_id", "division_id", "respondents", "score_sum")
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    table = connection.ops.quote_name(SurveyIndexCell._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608 (fixed names)
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [(index_id, survey, on.strftime("%Y-%m"), on, neighbourhood, division, n, total)
             for survey, neighbourhood, division, on, total, n in rows],
        )  # fmt: skip


def cells_refresh(*, index_id: int, months: Iterable[str] | None = None, survey_id: int | None = None) -> int:
    """Recompute an index's cells: all of them, after which its figures are as of when it started; or only `months`
    ("YYYY-MM") and/or one survey's respondents. Returns the cells written.

    The long read runs first, outside any transaction, so that it holds up no one (on SQLite, a transaction holds
    every writer: a response would wait for the whole computation). Then, holding the index's row (so that its
    refreshes take turns), the old cells are deleted and the new inserted in one transaction. If meanwhile its
    questions changed, or another refresh that started later wrote first, writing ours would put older figures over
    newer (and the job may have deleted the marks of the responses in between): it is computed again, under the
    lock. `SurveyIndex.cells_from` is when the newest written computation started."""
    chosen = sorted(set(months)) if months is not None else None
    # The force's time zone whoever asks (a page, the worker): the days and months are the force's.
    with timezone.override(timezone.get_default_timezone()):
        started = timezone.now()
        index = SurveyIndex.objects.filter(pk=index_id).first()
        if index is None:
            return 0
        stale, q = SurveyIndexCell.objects.filter(index_id=index_id), Q()
        if survey_id is not None:
            stale, q = stale.filter(survey_id=survey_id), q & Q(survey_id=survey_id)
        if chosen is not None:
            stale, q = stale.filter(month__in=chosen), q & _months_q(chosen)
        components = list(index.components.all())
        rows = _cell_rows(components, q)
        with transaction.atomic():
            locked = SurveyIndex.objects.select_for_update().filter(pk=index_id).first()
            if locked is None:
                return 0
            now_components = list(locked.components.all())
            newer = locked.cells_from is not None and locked.cells_from > started
            if newer or _definition(now_components) != _definition(components):
                started = timezone.now()
                rows = _cell_rows(now_components, q)
            stale.delete()
            _cells_insert(index_id, rows)
            done: dict[str, Any] = {"cells_from": started}
            if chosen is None and survey_id is None:
                done["figures_at"] = started
            SurveyIndex.objects.filter(pk=index_id).update(**done)
    return len(rows)


def responses_changed(*, survey_id: int, instants: Iterable[datetime]) -> None:
    """Mark the months of a survey's responses just stored, replaced or deleted (their times, before and after) for
    the `survey_indices` job: a small insert in the caller's transaction, so the mark commits or rolls back with the
    change, and nothing is recomputed per response."""
    months = sorted({_month_of(instant) for instant in instants})
    SurveyIndexDirtyMonth.objects.bulk_create([SurveyIndexDirtyMonth(survey_id=survey_id, month=m) for m in months])


def cells_refresh_due() -> str:
    """The scheduler's `survey_indices` job: recompute the months marked since the last run, for the indices that
    score those surveys, and compute the indices that have no figures (new, or their questions changed)."""
    now = timezone.now()
    marks = list(SurveyIndexDirtyMonth.objects.order_by("pk").values_list("pk", "survey_id", "month"))
    changed: dict[int, set[str]] = defaultdict(set)
    for _, survey_id, month in marks:
        changed[survey_id].add(month)
    computed = recomputed = 0
    for index in SurveyIndex.objects.prefetch_related("components").order_by("pk"):
        if index.figures_at is None:
            cells_refresh(index_id=index.pk)
            computed += 1
            continue
        for survey_id in sorted({c.survey_id for c in index.components.all()} & changed.keys()):
            recomputed += len(changed[survey_id])
            cells_refresh(index_id=index.pk, survey_id=survey_id, months=changed[survey_id])
    # Only the marks read above: one a change commits meanwhile stays for the next run (its change may have come
    # too late for this one's queries), however many of its month's marks this run took.
    seen = [pk for pk, _, _ in marks]
    for i in range(0, len(seen), DELETE_CHUNK):
        SurveyIndexDirtyMonth.objects.filter(pk__in=seen[i : i + DELETE_CHUNK]).delete()
    # Every change committed before `now` had its mark committed with it, so was read above and is in the cells:
    # the figures are as of `now` (an index whose questions changed meanwhile has none, and keeps none).
    SurveyIndex.objects.filter(figures_at__lt=now).update(figures_at=now)
    return f"{computed} indices computed, {recomputed} months recomputed, {len(marks)} changes"


def _days_q(window: Window) -> Q | None:
    """The window as a filter on the cells' days and areas; None when days cannot express it (an instant that is not
    a midnight, or a time zone other than the force's) and only the direct computation can."""
    zone = timezone.get_default_timezone()
    if timezone.get_current_timezone_name() != timezone.get_default_timezone_name():
        return None
    q = Q()
    if window.divisions is not None:
        q &= Q(division_id__in=window.divisions)
    if window.division:
        q &= Q(division_id=window.division)
    if window.neighbourhood:
        q &= Q(neighbourhood_id=window.neighbourhood)
    if window.since:
        q &= Q(day__gte=window.since)
    if window.until:
        q &= Q(day__lte=window.until)
    for instant, lookup in ((window.start, "day__gte"), (window.end, "day__lt")):
        if instant is not None:
            local = timezone.localtime(instant, zone)
            if local.time() != time.min:
                return None
            q &= Q(**{lookup: local.date()})
    return q


def _quarter(month: str) -> str:
    return f"{month[:4]}-{(int(month[5:7]) - 1) // 3 * 3 + 1:02d}"


def _small(index: SurveyIndex) -> bool:
    """Whether the index's surveys have so few responses that computing it during a request is quick."""
    limit = int(getattr(settings, "SURVEYS_INDEX_SYNC_LIMIT", 20_000))
    surveys = SurveyIndexComponent.objects.filter(index_id=index.pk).values("survey_id")
    return Response.objects.filter(survey_id__in=surveys).count() <= limit


def index_cells_stored(
    index: SurveyIndex, *, by: By = "division", period: Period = "month", window: Window | None = None
) -> tuple[Cells | None, datetime | None]:
    """`index_cells` from the precomputed cells, with the time they are as of; (None, None) while the index is
    being calculated (never computed, or its questions changed, and too large to compute now: see the module)."""
    window = window or Window()
    q = _days_q(window)
    if q is None:
        return index_cells(index, by=by, period=period, window=window), timezone.now()
    figures_at = SurveyIndex.objects.filter(pk=index.pk).values_list("figures_at", flat=True).first()
    if figures_at is None:
        if not _small(index):
            return None, None
        cells_refresh(index_id=index.pk)
        figures_at = SurveyIndex.objects.filter(pk=index.pk).values_list("figures_at", flat=True).first()
    column = AREA_COLUMNS.get(by)
    rows = (
        SurveyIndexCell.objects.filter(q, index_id=index.pk)
        .values_list(*([column] if column else []), "month")
        .annotate(total=Sum("score_sum"), n=Sum("respondents"))
        .order_by()
    )
    cells: Cells = {}
    # In a fixed order, so that the same cells always add up to the same float.
    for row in sorted(rows, key=lambda r: (r[0] is None, r[0] or 0, r[1]) if column else r[0]):
        area, month, total, n = (row[0], row[1], row[2], row[3]) if column else (None, row[0], row[1], row[2])
        key = (area, month if period == "month" else _quarter(month))
        before = cells.get(key, (0.0, 0))
        cells[key] = (before[0] + float(total), before[1] + int(n))
    return cells, figures_at


@dataclass
class IndexTable:
    """Scores per area (rows) and period (columns), with the areas' and periods' own over all respondents."""

    index: SurveyIndex
    by: str
    period: str
    minimum: int
    row_keys: list[int | None]
    row_labels: list[str]
    columns: list[str]  # periods, "YYYY-MM" (a quarter: its first month)
    scores: list[list[float | None]]  # None: fewer respondents than the minimum (or none)
    row_scores: list[float | None]
    column_scores: list[float | None]
    score: float | None
    respondents: Suppressed  # n, small and derivable figures hidden
    raw_n: list[list[int]] = field(default_factory=list, repr=False)
    figures_at: datetime | None = None  # the cells' time (None: computed directly, or being calculated)
    calculating: bool = False  # no figures yet: the index is being calculated in the background

    @property
    def column_labels(self) -> list[str]:
        return [period_label(c, self.period) for c in self.columns]

    @property
    def any_suppressed(self) -> bool:
        return any(0 < n < self.minimum for row in self.raw_n for n in row)


def period_label(month: str, period: str) -> str:
    if period == "quarter":
        return f"{month[:4]} Q{(int(month[5:7]) - 1) // 3 + 1}"
    return month


def _mean(total: float, n: int, minimum: int) -> float | None:
    # First to 9 places: sums of the same scores added in another order (the cells, the direct SQL, another plan)
    # differ in the last bits, which must not tip a mean at a half (81.25) to the other side of one decimal.
    return round(round(total / n, 9), 1) if n >= minimum and n > 0 else None


def _area_labels(by: str, keys: Iterable[int | None]) -> dict[int | None, str]:
    if by == "force":
        return {None: "The force"}
    model = Division if by == "division" else Neighbourhood
    names = dict(model.objects.filter(pk__in=[k for k in keys if k is not None]).values_list("pk", "name"))
    return {k: names.get(k, NOT_KNOWN) if k is not None else NOT_KNOWN for k in keys}


def index_table(
    index: SurveyIndex,
    *,
    by: By = "division",
    period: Period = "month",
    window: Window | None = None,
    direct: bool = False,
) -> IndexTable:
    """The index page's table, from the precomputed cells (`direct`: computed from the answers, the reference)."""
    minimum = small_number_minimum()
    figures_at: datetime | None = None
    if direct:
        found: Cells | None = index_cells(index, by=by, period=period, window=window)
    else:
        found, figures_at = index_cells_stored(index, by=by, period=period, window=window)
    cells = found or {}
    columns = sorted({p for _, p in cells})
    labels = _area_labels(by, {k for k, _ in cells})
    keys = sorted(labels, key=lambda k: (k is None, labels[k]))
    sums = [[cells.get((k, c), (0.0, 0))[0] for c in columns] for k in keys]
    counts = [[cells.get((k, c), (0.0, 0))[1] for c in columns] for k in keys]
    scores = [
        [_mean(s, n, minimum) for s, n in zip(srow, nrow, strict=True)] for srow, nrow in zip(sums, counts, strict=True)
    ]
    row_scores = [_mean(sum(srow), sum(nrow), minimum) for srow, nrow in zip(sums, counts, strict=True)]
    column_scores = [
        _mean(sum(row[i] for row in sums), sum(row[i] for row in counts), minimum) for i in range(len(columns))
    ]
    score = _mean(sum(map(sum, sums)), sum(map(sum, counts)), minimum)
    return IndexTable(
        index=index,
        by=by,
        period=period,
        minimum=minimum,
        row_keys=keys,
        row_labels=[labels[k] for k in keys],
        columns=columns,
        scores=scores,
        row_scores=row_scores,
        column_scores=column_scores,
        score=score,
        respondents=suppress(counts, minimum=minimum) if keys and columns else Suppressed([], [], [], None),
        raw_n=counts,
        figures_at=figures_at,
        calculating=found is None,
    )


# --- insights: every index is a metric ("index-<slug>"), a score per division and month -------------------------


def index_figures(*, first_month: str, last_month: str, direct: bool = False) -> Iterable[Figure]:
    """Per index, month and division (and neighbourhood, for the gap map): the mean score with its respondents.

    Figures carry the mean however few the respondents, with their number, so that insights can combine months
    and areas exactly (weighted by respondents); insights shows none from fewer than the minimum. From the
    precomputed cells (an index still being calculated has none yet); `direct`: from the answers (the reference).
    """
    window = Window(start=month_starts_at(first_month), end=month_ends_at(last_month))
    places = {
        pk: (code, division) for pk, code, division in Neighbourhood.objects.values_list("pk", "code", "division__code")
    }
    for index in SurveyIndex.objects.prefetch_related("components"):
        metric, label = f"{METRIC_PREFIX}{index.slug}", index.name
        if direct:
            cells: Cells | None = index_cells(index, by="neighbourhood", window=window)
        else:
            cells, _ = index_cells_stored(index, by="neighbourhood", window=window)
            if cells is None:
                logger.info("survey index %s is being calculated: no figures from it yet", index.pk)
        # One figure per neighbourhood, carrying its division too (as the reports source does): a division's or
        # the force's score is the respondents-weighted mean of them. No neighbourhood known: neither is the division.
        for (key, month), (total, n) in (cells or {}).items():
            code, division = places.get(key or 0, (None, None))
            yield Figure(metric, month, total / n, aggregation="score", division=division, neighbourhood=code,
                         label=label, respondents=n)  # fmt: skip


def index_export_rows(table: IndexTable) -> list[list[Any]]:
    """The table as CSV rows: area, period, score (blank when suppressed), respondents (blank when hidden)."""
    rows: list[list[Any]] = [["Area", "Period", "Score (0-100)", "Respondents"]]
    for r, label in enumerate(table.row_labels):
        for c, column in enumerate(table.column_labels):
            n = table.respondents.cells[r][c] if table.respondents.cells else None
            if table.raw_n[r][c] == 0:
                continue
            rows.append([label, column, table.scores[r][c], n])
        rows.append([label, "All", table.row_scores[r], table.respondents.row_totals[r]])
    for c, column in enumerate(table.column_labels):
        rows.append(["All", column, table.column_scores[c], table.respondents.column_totals[c]])
    rows.append(["All", "All", table.score, table.respondents.total])
    return rows
