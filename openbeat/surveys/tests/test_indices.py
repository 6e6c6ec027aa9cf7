"""Indices: scoring in the database, respondents' weighted means, groups' means, small numbers, building them."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.core.metric_sources import figures, weighted_score
from openbeat.surveys import indices, services
from openbeat.surveys.indices import IndexPermissionError, Window, candidates, index_cells, index_table
from openbeat.surveys.models import Channel, SurveyIndex

pytestmark = pytest.mark.django_db

MARCH = timezone.make_aware(datetime(2026, 3, 10, 12))
APRIL = timezone.make_aware(datetime(2026, 4, 10, 12))
JULY = timezone.make_aware(datetime(2026, 7, 10, 12))


def submit(survey, ids, *, postcode, n=1, when=MARCH, **answers):
    for _ in range(n):
        services.response_submit(
            client_id=uuid.uuid4(),
            version=survey.current_version,
            answers=ids.answers(postcode=postcode, **answers),
            channel=Channel.PUBLIC,
            submitted_at=when,
        )


def candidate(survey, question_id, statement_id=None):
    return next(c for c in candidates([survey]) if c.question_id == question_id and c.statement_id == statement_id)


@pytest.fixture
def index(world, survey, ids):
    """How safe (1-5, weight 1) and "They were friendly" (grid, default scores, weight 3)."""
    built = indices.index_create(actor=world.hq, name="Confidence", slug="confidence")
    indices.component_save(index=built, actor=world.hq, candidate=candidate(survey, ids.safe.pk))
    indices.component_save(
        index=built,
        actor=world.hq,
        candidate=candidate(survey, ids.grid.pk, ids.friendly),
        scores=dict(indices.GRID_DEFAULT_SCORES),
        weight=3,
    )
    return built


def test_the_candidates_are_scales_single_choices_and_each_grid_statement(survey, ids):
    found = {(c.question_id, c.statement_id, c.kind) for c in candidates([survey])}
    assert found == {
        (ids.seen.pk, None, "single"),
        (ids.safe.pk, None, "scale5"),
        (ids.grid.pk, ids.friendly, "grid"),
        (ids.grid.pk, ids.approachable, "grid"),
        (ids.likely.pk, None, "scale10"),
    }


def test_a_respondents_score_is_the_weighted_mean_of_their_scored_answers(world, survey, ids, index):
    # safe 4 -> 75; friendly 4 -> 75 (weight 3): 75. Not seen: no grid answer, safe 2 -> 25 alone.
    submit(survey, ids, postcode=world.west_postcode, safe=4)
    submit(survey, ids, postcode=world.west_postcode, safe=2, seen=False)
    cells = index_cells(index, by="force")
    total, n = cells[(None, "2026-03")]
    assert n == 2
    assert total == pytest.approx(75 + 25)


def test_the_weight_counts(world, survey, ids, index):
    # safe 1 -> 0 (weight 1); friendly 4 -> 75 (weight 3): (0 + 225) / 4
    submit(survey, ids, postcode=world.west_postcode, safe=1)
    total, n = index_cells(index, by="force")[(None, "2026-03")]
    assert (total, n) == (pytest.approx(56.25), 1)


def test_options_without_a_score_are_left_out_and_a_respondent_with_none_is_not_counted(world, survey, ids):
    only_yes = indices.index_create(actor=world.hq, name="Seen", slug="seen")
    indices.component_save(
        index=only_yes, actor=world.hq, candidate=candidate(survey, ids.seen.pk), scores={str(ids.yes): 100}
    )
    submit(survey, ids, postcode=world.west_postcode, seen=True, n=2)
    submit(survey, ids, postcode=world.west_postcode, seen=False, n=5)  # "No" has no score: like "Don't know"
    assert index_cells(only_yes, by="force") == {(None, "2026-03"): (200.0, 2)}


def test_scores_per_division_and_quarter(world, survey, ids, index):
    submit(survey, ids, postcode=world.west_postcode, safe=5, when=MARCH)
    submit(survey, ids, postcode=world.west_postcode, safe=5, when=APRIL)
    submit(survey, ids, postcode=world.east_postcode, safe=5, when=JULY)
    cells = index_cells(index, by="division", period="quarter")
    # safe 5 -> 100, friendly 4 -> 75 (x3): 81.25 each
    assert cells == {
        (world.west.pk, "2026-01"): (pytest.approx(81.25), 1),
        (world.west.pk, "2026-04"): (pytest.approx(81.25), 1),
        (world.east.pk, "2026-07"): (pytest.approx(81.25), 1),
    }
    assert index_cells(index, by="division", window=Window(divisions=frozenset({world.east.pk}))) == {
        (world.east.pk, "2026-07"): (pytest.approx(81.25), 1)
    }


def test_a_group_below_the_minimum_has_no_score_and_its_n_is_suppressed_with_a_complement(
    world, survey, ids, index, settings
):
    settings.SURVEYS_SMALL_NUMBER_MIN = 5
    submit(survey, ids, postcode=world.west_postcode, safe=5, n=12)
    submit(survey, ids, postcode=world.east_postcode, safe=1, n=3)
    table = index_table(index, by="division")
    west, east = table.row_labels.index(world.west.name), table.row_labels.index(world.east.name)
    assert table.scores[west] == [81.2] or table.scores[west] == [81.3]
    assert table.scores[east] == [None]  # 3 respondents: never a number
    # The force's score is over every respondent: (12 x 81.25 + 3 x 56.25) / 15
    assert table.score == pytest.approx(76.2, abs=0.1)
    # n: east's 3 hidden, and west's 12 too, or 15 - 12 would give it back.
    assert table.respondents.cells[east] == [None]
    assert table.respondents.cells[west] == [None]
    assert table.respondents.total == 15
    assert table.any_suppressed


def test_the_csv_rows_leave_suppressed_scores_blank(world, survey, ids, index, settings):
    settings.SURVEYS_SMALL_NUMBER_MIN = 5
    submit(survey, ids, postcode=world.west_postcode, safe=5, n=6)
    submit(survey, ids, postcode=world.east_postcode, safe=5, n=2)
    rows = indices.index_export_rows(index_table(index, by="division"))
    assert rows[0] == ["Area", "Period", "Score (0-100)", "Respondents"]
    east = next(r for r in rows if r[0] == world.east.name and r[1] == "2026-03")
    assert east[2:] == [None, None]


def test_the_metric_source_gives_a_score_per_neighbourhood_with_its_division_and_respondents(world, survey, ids, index):
    submit(survey, ids, postcode=world.west_postcode, safe=5, n=2)
    submit(survey, ids, postcode=world.east_postcode, safe=1, n=1)
    found = list(figures(first_month="2026-03", last_month="2026-03", only=["survey_indices"]))
    by_place = {(f.neighbourhood, f.division): (round(f.value, 2), f.respondents, f.aggregation) for f in found}
    assert by_place == {
        ("W01", "west"): (81.25, 2, "score"),
        ("E01", "east"): (56.25, 1, "score"),
    }
    assert {f.metric for f in found} == {"index-confidence"}
    assert weighted_score(found) == (pytest.approx((2 * 81.25 + 56.25) / 3), 3)


def test_building_is_audited_and_checked(world, survey, ids):
    with pytest.raises(IndexPermissionError):
        indices.index_create(actor=world.lead, name="Force", slug="force")  # force-wide: HQ only
    own = indices.index_create(actor=world.lead, name="West", slug="west", division=world.west)
    with pytest.raises(IndexPermissionError):
        indices.index_update(index=own, actor=world.other, name="Mine", slug="west")
    with pytest.raises(ValidationError):
        indices.index_create(actor=world.hq, name="Again", slug="west")
    with pytest.raises(ValidationError):
        indices.component_save(
            index=own, actor=world.lead, candidate=candidate(survey, ids.seen.pk), scores={str(ids.yes): 120}
        )
    with pytest.raises(ValidationError):
        indices.component_save(index=own, actor=world.lead, candidate=candidate(survey, ids.seen.pk), scores={})
    indices.component_save(index=own, actor=world.lead, candidate=candidate(survey, ids.safe.pk))
    with pytest.raises(ValidationError):
        indices.component_save(index=own, actor=world.lead, candidate=candidate(survey, ids.safe.pk))
    assert AuditEntry.objects.filter(action="surveys.index.component", actor=world.lead).count() == 1
    assert SurveyIndex.objects.get(slug="west").components.count() == 1
