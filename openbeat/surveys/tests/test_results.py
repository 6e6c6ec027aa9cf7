"""Results: one GROUP BY, small numbers suppressed, filters, and who sees which responses."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from openbeat.surveys import exports, services
from openbeat.surveys.models import Channel
from openbeat.surveys.selectors import Filters, results_divisions, survey_results, text_answers
from openbeat.surveys.tests.conftest import build_survey

pytestmark = pytest.mark.django_db


def submit(survey, ids, *, postcode, n, seen=True, safe=4, channel=Channel.PUBLIC, when=None, comment=""):
    for _ in range(n):
        services.response_submit(
            client_id=uuid.uuid4(),
            version=survey.current_version,
            answers=ids.answers(postcode=postcode, seen=seen, safe=safe, comment=comment),
            channel=channel,
            submitted_at=when,
        )


def table(results, key):
    return next(t for t in results.tables if t.key == key)


def test_fewer_responses_than_the_minimum_show_nothing(world, survey, ids):
    submit(survey, ids, postcode=world.west_postcode, n=9)
    results = survey_results(survey)
    assert results.withheld
    assert results.tables == []


def test_counts_per_question_with_small_cells_and_their_complements_hidden(world, survey, ids):
    submit(survey, ids, postcode=world.west_postcode, n=12, seen=True)
    submit(survey, ids, postcode=world.west_postcode, n=3, seen=False, safe=2)
    results = survey_results(survey)
    assert results.responses == 15
    seen = table(results, f"q{ids.seen.pk}")
    assert seen.row_labels == ["Yes", "No"]
    # "No" (3) is hidden, and so is "Yes": with the total shown, 15 - 12 would give the 3 back.
    assert seen.figures.cells == [[None], [None]]
    assert seen.figures.total == 15
    doing = table(results, f"q{ids.doing.pk}")
    assert doing.figures.row_totals[0] == 12  # walking
    assert doing.figures.row_totals[1] == 0  # driving: nobody, which identifies nobody
    grid = table(results, f"q{ids.grid.pk}-s{ids.friendly}")
    assert grid.row_labels[3] == "Agree"
    assert grid.figures.row_totals[3] == 12
    with_small_minimum = survey_results(survey)
    assert with_small_minimum.minimum == 10


def test_the_minimum_is_a_setting(world, survey, ids, settings):
    settings.SURVEYS_SMALL_NUMBER_MIN = 3
    submit(survey, ids, postcode=world.west_postcode, n=12)
    submit(survey, ids, postcode=world.west_postcode, n=3, seen=False)
    seen = table(survey_results(survey), f"q{ids.seen.pk}")
    assert seen.figures.cells == [[12], [3]]


def test_breakdown_by_division_and_filters(world, hq_survey, hq_ids):
    survey, ids = hq_survey, hq_ids
    submit(survey, ids, postcode=world.west_postcode, n=12)
    submit(survey, ids, postcode=world.east_postcode, n=11, channel=Channel.OFFICER)
    results = survey_results(survey, filters=Filters(breakdown="division"))
    seen = table(results, f"q{ids.seen.pk}")
    assert seen.column_labels == ["West", "East"] or seen.column_labels == ["East", "West"]
    assert sorted(seen.figures.cells[0]) == [11, 12]
    assert survey_results(survey, filters=Filters(channel=Channel.OFFICER)).responses == 11
    assert survey_results(survey, filters=Filters(neighbourhood=world.west_nbh.pk)).responses == 12
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert survey_results(survey, filters=Filters(since=tomorrow)).withheld


def test_division_staff_see_their_own_division_of_a_force_wide_survey(world, hq_survey, hq_ids):
    submit(hq_survey, hq_ids, postcode=world.west_postcode, n=12)
    submit(hq_survey, hq_ids, postcode=world.east_postcode, n=11)
    assert results_divisions(world.hq, hq_survey) is None
    west_only = results_divisions(world.officer, hq_survey)
    assert west_only == {world.west.pk}
    assert survey_results(hq_survey, divisions=west_only).responses == 12
    assert results_divisions(world.public, hq_survey) == frozenset()


def test_a_divisions_survey_is_not_for_another_division(world, survey):
    assert results_divisions(world.officer, survey) is None
    assert results_divisions(world.other, survey) == frozenset()


def test_free_text_is_kept_for_moderation(world, survey, ids):
    submit(survey, ids, postcode=world.west_postcode, n=1, comment="Lovely officers")
    answers = text_answers(survey, ids.comments.pk)
    assert [a.text for a in answers] == ["Lovely officers"]
    assert text_answers(survey, ids.comments.pk, include_unmoderated=False) == []
    services.answer_moderate(answer=answers[0], actor=world.lead, shown=True)
    assert len(text_answers(survey, ids.comments.pk, include_unmoderated=False)) == 1
    with pytest.raises(services.SurveyPermissionError):
        services.answer_moderate(answer=answers[0], actor=world.other, shown=False)


def test_exports_carry_the_suppressed_figures_only(world, survey, ids):
    submit(survey, ids, postcode=world.west_postcode, n=12)
    submit(survey, ids, postcode=world.west_postcode, n=3, seen=False)
    results = survey_results(survey)
    text = exports.results_csv(results)
    assert "Have you seen police officers on patrol in the last month?,No,All,suppressed" in text
    assert ",3\r\n" not in text
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(exports.results_xlsx(results)))
    sheet = workbook[f"q{ids.seen.pk}"]
    assert [c.value for c in sheet[3]] == ["Yes", "suppressed", "suppressed"]


@pytest.fixture
def hq_survey(world):
    built = build_survey(world.hq, division=None, slug="force-wide")
    services.survey_publish(survey=built, actor=world.hq)
    built.refresh_from_db()
    return built


@pytest.fixture
def hq_ids(hq_survey):
    from openbeat.surveys.tests.conftest import Ids

    return Ids(hq_survey)
