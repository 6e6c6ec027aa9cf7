"""The indices' precomputed cells: the same figures as the direct computation from the answers, brought up to date
when responses come, are replaced or erased and when an index's questions change, by the scheduler's job."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from openbeat.staff.tests.factories import client_for
from openbeat.surveys import indices, services
from openbeat.surveys.indices import Window, cells_refresh, cells_refresh_due, index_cells, index_cells_stored
from openbeat.surveys.models import Channel, Response, Survey, SurveyIndex, SurveyIndexCell, SurveyIndexDirtyMonth

pytestmark = pytest.mark.django_db

MARCH = timezone.make_aware(datetime(2026, 3, 10, 12))
APRIL = timezone.make_aware(datetime(2026, 4, 10, 12))
# Instants either side of the force's midnights and months (BST and GMT), where UTC and local days differ.
INSTANTS = [
    datetime(2025, 12, 31, 23, 59, tzinfo=UTC),  # 31 December, GMT
    datetime(2026, 1, 1, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the clocks go forward at 01:00 UTC
    datetime(2026, 3, 31, 22, 59, tzinfo=UTC),  # 31 March 23:59 BST
    datetime(2026, 3, 31, 23, 30, tzinfo=UTC),  # 1 April 00:30 BST
    datetime(2026, 4, 15, 12, 0, tzinfo=UTC),
    datetime(2026, 6, 30, 23, 30, tzinfo=UTC),  # 1 July 00:30 BST: the next quarter
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the clocks go back at 01:00 UTC
]
OUTSIDE = "SW1A 1AA"  # a real postcode the force does not have: no area


@pytest.fixture(autouse=True)
def _minimum(settings):
    """Few respondents per group in these tests: a minimum of 2 shows most scores and still suppresses some."""
    settings.SURVEYS_SMALL_NUMBER_MIN = 2


def candidate(survey, question_id, statement_id=None):
    return next(
        c for c in indices.candidates([survey]) if c.question_id == question_id and c.statement_id == statement_id
    )


@pytest.fixture
def index(world, survey, ids):
    """How safe (1-5), seen (Yes 100, No 20), "They were friendly" (grid) and how likely (0-10)."""
    built = indices.index_create(actor=world.hq, name="Confidence", slug="confidence")
    indices.component_save(index=built, actor=world.hq, candidate=candidate(survey, ids.safe.pk))
    indices.component_save(
        index=built,
        actor=world.hq,
        candidate=candidate(survey, ids.seen.pk),
        scores={str(ids.yes): 100, str(ids.no): 20},
    )
    indices.component_save(
        index=built,
        actor=world.hq,
        candidate=candidate(survey, ids.grid.pk, ids.friendly),
        scores=dict(indices.GRID_DEFAULT_SCORES),
        weight=3,
    )
    indices.component_save(index=built, actor=world.hq, candidate=candidate(survey, ids.likely.pk), weight=2)
    return built


def answers(ids, *, postcode, seen=True, safe=4, friendly=4, likely=7):
    found = {str(ids.seen.pk): ids.yes if seen else ids.no, str(ids.safe.pk): safe, str(ids.postcode.pk): postcode}
    if seen:
        found |= {
            str(ids.doing.pk): [ids.walking],
            str(ids.grid.pk): {str(ids.friendly): friendly, str(ids.approachable): 3},
            str(ids.likely.pk): likely,
        }
    return found


def submit(survey, ids, *, when=MARCH, client_id=None, **kwargs):
    return services.response_submit(
        client_id=client_id or uuid.uuid4(),
        version=survey.current_version,
        answers=answers(ids, **kwargs),
        channel=Channel.PUBLIC,
        submitted_at=when,
    )


def shown(table):
    """Everything the page and the CSV show of a table."""
    return (
        table.row_labels,
        table.columns,
        table.scores,
        table.row_scores,
        table.column_scores,
        table.score,
        table.respondents,
        table.raw_n,
    )


def same_as_the_answers(index, *, by="division", period="month", window=None):
    stored = indices.index_table(index, by=by, period=period, window=window)
    direct = indices.index_table(index, by=by, period=period, window=window, direct=True)
    assert not stored.calculating
    assert shown(stored) == shown(direct)
    return stored


# --- the same numbers -------------------------------------------------------------------------------------------

respondent = st.fixed_dictionaries(
    {
        "postcode": st.sampled_from(["west", "east", "outside"]),
        "when": st.sampled_from(INSTANTS),
        "seen": st.booleans(),
        "safe": st.integers(1, 5),
        "friendly": st.integers(1, 5),
        "likely": st.integers(0, 10),
    }
)


@given(
    people=st.lists(respondent, max_size=14),
    weights=st.tuples(*[st.sampled_from([0.5, 1.0, 2.0, 3.0])] * 3),
    no_score=st.sampled_from([None, 0.0, 20.0, 45.5]),
)
@hypothesis_settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_cells_give_the_same_tables_and_figures_as_the_answers(
    world, survey, ids, index, people, weights, no_score
):
    Response.objects.all().delete()
    for component, weight in zip(index.components.exclude(kind="single"), weights, strict=True):
        component.weight = weight
        component.save()
    seen = index.components.get(kind="single")
    seen.scores = {str(ids.yes): 100.0} | ({str(ids.no): no_score} if no_score is not None else {})
    seen.save()
    postcodes = {"west": world.west_postcode, "east": world.east_postcode, "outside": OUTSIDE}
    for person in people:
        submit(survey, ids, **(person | {"postcode": postcodes[person["postcode"]]}))
    cells_refresh(index_id=index.pk)
    windows = [
        None,
        Window(divisions=frozenset({world.west.pk})),
        Window(divisions=frozenset()),
        Window(since=date(2026, 4, 1), until=date(2026, 6, 30)),
        Window(since=date(2026, 3, 29), until=date(2026, 3, 29)),
    ]
    for window in windows:
        for by in ("force", "division", "neighbourhood"):
            for period in ("month", "quarter"):
                same_as_the_answers(index, by=by, period=period, window=window)
                stored, _ = index_cells_stored(index, by=by, period=period, window=window)
                direct = index_cells(index, by=by, period=period, window=window)
                assert stored is not None
                assert stored.keys() == direct.keys()
                for key, (total, n) in direct.items():
                    assert stored[key] == (pytest.approx(total, rel=1e-12), n)

    def figures(direct):
        found = indices.index_figures(first_month="2025-12", last_month="2026-10", direct=direct)
        return sorted(
            (f.metric, f.month, f.neighbourhood or "", f.division or "", f.respondents, f.value) for f in found
        )

    stored_figures, direct_figures = figures(False), figures(True)
    assert [f[:5] for f in stored_figures] == [f[:5] for f in direct_figures]
    assert [f[5] for f in stored_figures] == pytest.approx([f[5] for f in direct_figures], rel=1e-12)


def test_a_mean_at_a_half_rounds_the_same_whatever_order_its_scores_were_added_in():
    # 81.25 added up in two orders can come out a hair either side of it: one decimal must not depend on that.
    assert indices._mean(81.25 + 1e-12, 1, 1) == indices._mean(81.25 - 1e-12, 1, 1) == indices._mean(81.25, 1, 1)


def test_a_window_the_days_cannot_express_is_computed_from_the_answers(world, survey, ids, index):
    submit(survey, ids, postcode=world.west_postcode, when=MARCH)
    submit(survey, ids, postcode=world.west_postcode, when=MARCH + timedelta(hours=3))
    cells_refresh(index_id=index.pk)
    noon = Window(start=MARCH + timedelta(hours=1))  # not a midnight: the cells' days cannot say it
    cells, _ = index_cells_stored(index, by="force", window=noon)
    assert cells == index_cells(index, by="force", window=noon)
    assert cells[(None, "2026-03")][1] == 1


# --- kept up to date --------------------------------------------------------------------------------------------


def test_a_new_response_counts_once_the_job_has_run_and_the_page_says_when(world, survey, ids, index):
    submit(survey, ids, postcode=world.west_postcode)
    cells_refresh(index_id=index.pk)
    before = same_as_the_answers(index)
    submit(survey, ids, postcode=world.west_postcode, safe=1)
    # Stored, marked, not yet counted: the figures are still as of the refresh, and say so.
    assert set(SurveyIndexDirtyMonth.objects.values_list("survey_id", "month")) == {(survey.pk, "2026-03")}
    stale = indices.index_table(index)
    assert stale.raw_n == before.raw_n == [[1]]
    assert stale.figures_at == before.figures_at
    assert cells_refresh_due() == "0 indices computed, 1 months recomputed, 2 changes"
    after = same_as_the_answers(index)
    assert after.raw_n == [[2]]
    assert after.figures_at > before.figures_at
    assert not SurveyIndexDirtyMonth.objects.exists()
    page = client_for(world.hq).get(f"/admin/surveys/indices/{index.pk}/")
    assert f"Figures as of {timezone.localtime(after.figures_at):%H:%M}." in page.text


def test_a_response_replaced_after_a_conflict_moves_to_its_new_month_and_area(world, survey, ids, index):
    client_id = uuid.uuid4()
    submit(survey, ids, postcode=world.west_postcode, client_id=client_id, when=MARCH)
    submit(survey, ids, postcode=world.west_postcode, when=MARCH)
    cells_refresh(index_id=index.pk)
    conflict = submit(survey, ids, postcode=world.east_postcode, client_id=client_id, when=APRIL, safe=1).conflict
    assert conflict is not None
    services.conflict_resolve(conflict=conflict, actor=world.lead, replace=True)
    cells_refresh_due()
    table = same_as_the_answers(index)
    n = {(label, column): table.raw_n[r][c] for r, label in enumerate(table.row_labels)
         for c, column in enumerate(table.columns)}  # fmt: skip
    assert n == {
        (world.west.name, "2026-03"): 1,
        (world.west.name, "2026-04"): 0,
        (world.east.name, "2026-03"): 0,
        (world.east.name, "2026-04"): 1,
    }


def test_an_erasure_takes_the_responses_out_of_the_figures(world, survey, ids, index):
    for when in (MARCH, MARCH, APRIL):
        submit(survey, ids, postcode=world.west_postcode, when=when)
    cells_refresh(index_id=index.pk)
    erased = Response.objects.filter(submitted_at=MARCH)
    assert services.responses_delete(responses=erased) == 2
    assert indices.index_table(index).raw_n == [[2, 1]]  # until the job runs
    cells_refresh_due()
    assert same_as_the_answers(index).raw_n == [[1]]
    assert same_as_the_answers(index).columns == ["2026-04"]


def test_a_change_of_questions_recomputes_the_whole_index_after_the_commit(
    world, survey, ids, index, settings, django_capture_on_commit_callbacks
):
    settings.SURVEYS_SMALL_NUMBER_MIN = 1
    # safe 5 -> 100 (weight 1), seen 100 (1), friendly 4 -> 75 (3), likely 7 -> 70 (2): 565 / 7
    submit(survey, ids, postcode=world.west_postcode, safe=5)
    cells_refresh(index_id=index.pk)
    assert indices.index_table(index).scores == [[80.7]]
    safe = index.components.get(kind="scale5")
    with django_capture_on_commit_callbacks(execute=True):
        indices.component_save(
            index=index, actor=world.hq, candidate=candidate(survey, ids.safe.pk), weight=10, component=safe
        )
    # Run by the queued task (the tests' immediate backend), not by the page: it has figures again.
    assert SurveyIndex.objects.get(pk=index.pk).figures_at is not None
    assert same_as_the_answers(index).scores == [[91.6]]  # 1465 / 16
    with django_capture_on_commit_callbacks(execute=True):
        indices.component_remove(component=safe, actor=world.hq)
    assert SurveyIndex.objects.get(pk=index.pk).figures_at is not None
    assert same_as_the_answers(index).scores == [[77.5]]  # 465 / 6


def test_an_index_with_no_figures_is_computed_on_the_spot_when_small(world, survey, ids, index):
    submit(survey, ids, postcode=world.west_postcode)
    assert SurveyIndex.objects.get(pk=index.pk).figures_at is None  # its questions changed: the task not yet run
    table = same_as_the_answers(index)
    assert table.figures_at is not None
    assert SurveyIndex.objects.get(pk=index.pk).figures_at == table.figures_at


def test_a_large_index_with_no_figures_is_being_calculated_until_the_job_computes_it(
    world, survey, ids, index, settings
):
    settings.SURVEYS_INDEX_SYNC_LIMIT = 0
    submit(survey, ids, postcode=world.west_postcode)
    table = indices.index_table(index)
    assert table.calculating
    assert (table.columns, table.figures_at) == ([], None)
    assert list(indices.index_figures(first_month="2026-03", last_month="2026-03")) == []
    client = client_for(world.hq)
    page = client.get(f"/admin/surveys/indices/{index.pk}/")
    assert "These scores are being calculated" in page.text
    assert "No scored answers yet" not in page.text
    assert cells_refresh_due().startswith("1 indices computed")
    page = client.get(f"/admin/surveys/indices/{index.pk}/")
    assert "being calculated" not in page.text
    assert "Figures as of" in page.text
    assert not same_as_the_answers(index).calculating


def test_a_change_while_the_job_runs_is_kept_for_the_next_run(world, survey, ids, index, monkeypatch):
    submit(survey, ids, postcode=world.west_postcode, when=MARCH)
    cells_refresh(index_id=index.pk)
    submit(survey, ids, postcode=world.west_postcode, when=MARCH)
    refresh = indices.cells_refresh

    def refresh_then_a_response_arrives(**kwargs):
        written = refresh(**kwargs)
        submit(survey, ids, postcode=world.west_postcode, when=MARCH)  # too late for this run's queries
        return written

    monkeypatch.setattr(indices, "cells_refresh", refresh_then_a_response_arrives)
    cells_refresh_due()
    assert indices.index_table(index).raw_n == [[2]]
    assert SurveyIndexDirtyMonth.objects.count() == 1
    monkeypatch.setattr(indices, "cells_refresh", refresh)
    cells_refresh_due()
    assert same_as_the_answers(index).raw_n == [[3]]


def test_months_are_recomputed_only_for_the_survey_that_changed(world, survey, ids, index):
    submit(survey, ids, postcode=world.west_postcode, when=MARCH)
    cells_refresh(index_id=index.pk)
    other = Survey.objects.create(title="Other", slug="other", privacy_notice="Kept.")
    SurveyIndexCell.objects.create(
        index=index, survey=other, month="2026-03", day=date(2026, 3, 1), respondents=4, score_sum=200.0
    )
    indices.responses_changed(survey_id=survey.pk, instants=[MARCH])
    cells_refresh_due()
    assert SurveyIndexCell.objects.filter(survey=other).count() == 1
    other.delete()  # a survey deleted takes its part of the sums with it
    assert set(SurveyIndexCell.objects.values_list("survey_id", flat=True)) == {survey.pk}


def test_the_command_does_the_jobs_work_and_recomputes_one_index(world, survey, ids, index):
    submit(survey, ids, postcode=world.west_postcode)
    out = io.StringIO()
    call_command("survey_indices", stdout=out)
    assert out.getvalue().strip() == "1 indices computed, 0 months recomputed, 1 changes"
    SurveyIndexCell.objects.all().delete()
    out = io.StringIO()
    call_command("survey_indices", "--index", str(index.pk), stdout=out)
    assert out.getvalue().strip() == f"index {index.pk}: 1 cells"
    same_as_the_answers(index)


def test_an_older_computation_never_overwrites_a_newer_one(world, survey, ids, index, monkeypatch):
    submit(survey, ids, postcode=world.west_postcode, when=MARCH)
    cells_refresh(index_id=index.pk)
    compute, interrupted = indices._cell_rows, []

    def rows_then_a_later_refresh_writes_first(components, q):
        rows = compute(components, q)
        if not interrupted:
            interrupted.append(True)
            submit(survey, ids, postcode=world.west_postcode, when=MARCH)  # after this computation's read
            cells_refresh(index_id=index.pk)  # started later, written first: it counts that response
        return rows

    monkeypatch.setattr(indices, "_cell_rows", rows_then_a_later_refresh_writes_first)
    cells_refresh(index_id=index.pk, months=["2026-03"])
    assert same_as_the_answers(index).raw_n == [[2]]  # computed again under the lock, not the older [[1]]


def test_a_computation_of_the_old_questions_is_not_written(world, survey, ids, index, monkeypatch, settings):
    settings.SURVEYS_SMALL_NUMBER_MIN = 1
    submit(survey, ids, postcode=world.west_postcode, safe=1)
    compute, interrupted = indices._cell_rows, []

    def rows_then_the_questions_change(components, q):
        rows = compute(components, q)
        if not interrupted:
            interrupted.append(True)
            index.components.filter(kind="scale5").update(weight=10)
        return rows

    monkeypatch.setattr(indices, "_cell_rows", rows_then_the_questions_change)
    cells_refresh(index_id=index.pk)
    # safe 1 -> 0 now weighs 10: (0 + 100 + 75 x 3 + 70 x 2) / 16, not the old questions' 465 / 7
    assert same_as_the_answers(index).scores == [[29.1]]
