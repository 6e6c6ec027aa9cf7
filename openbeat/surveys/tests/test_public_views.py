"""The public survey through the test client: pages per section, conditions, errors, check and submit."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbeat.surveys import services
from openbeat.surveys.models import Answer, Response

pytestmark = pytest.mark.django_db


def page_url(survey, section) -> str:
    return f"/surveys/{survey.slug}/page/{section}/"


def sections(survey) -> list[int]:
    return [s["id"] for s in survey.current_version.definition["sections"]]


def answer_first(client, survey, ids, *, seen: bool, postcode: str):
    return client.post(
        page_url(survey, sections(survey)[0]),
        {f"q{ids.seen.pk}": str(ids.yes if seen else ids.no), f"q{ids.safe.pk}": "3", f"q{ids.postcode.pk}": postcode},
    )


def test_the_start_page_links_the_first_section_and_the_privacy_notice(client, survey):
    response = client.get(f"/surveys/{survey.slug}/")
    assert response.status_code == 200
    assert page_url(survey, sections(survey)[0]) in response.text
    assert f"/surveys/{survey.slug}/privacy/" in response.text
    assert "two years" in client.get(f"/surveys/{survey.slug}/privacy/").text


def test_a_draft_survey_is_not_found(client, world):
    from openbeat.surveys.tests.conftest import build_survey

    build_survey(world.lead, division=world.west, slug="draft")
    assert client.get("/surveys/draft/").status_code == 404
    assert client.get("/surveys/nothing/").status_code == 404


def test_the_whole_journey_with_the_condition_met(client, survey, ids, world):
    _first, second, third = sections(survey)
    response = answer_first(client, survey, ids, seen=True, postcode=world.west_postcode)
    assert response["Location"] == page_url(survey, second)
    response = client.post(
        page_url(survey, second),
        {
            f"q{ids.doing.pk}": [str(ids.walking)],
            f"q{ids.grid.pk}_{ids.friendly}": "5",
            f"q{ids.grid.pk}_{ids.approachable}": "4",
            f"q{ids.likely.pk}": "0",
        },
    )
    assert response["Location"] == page_url(survey, third)
    response = client.post(page_url(survey, third), {f"q{ids.comments.pk}": "Thanks"})
    assert response["Location"] == f"/surveys/{survey.slug}/check-your-answers/"
    check = client.get(response["Location"])
    assert "Strongly agree" in check.text
    assert "Walking" in check.text
    response = client.post(f"/surveys/{survey.slug}/check-your-answers/")
    assert response["Location"] == f"/surveys/{survey.slug}/thank-you/"
    stored = Response.objects.get()
    assert stored.neighbourhood == world.west_nbh
    assert Answer.objects.get(question_id=ids.likely.pk).value == 0


def test_a_section_whose_condition_is_not_met_is_skipped(client, survey, ids, world):
    _first, second, third = sections(survey)
    response = answer_first(client, survey, ids, seen=False, postcode=world.west_postcode)
    assert response["Location"] == page_url(survey, third)
    # Asking for the skipped page sends the person on to the one that applies.
    assert client.get(page_url(survey, second))["Location"] == page_url(survey, third)


def test_errors_are_summarised_linked_and_what_was_typed_is_kept(client, survey, ids):
    response = client.post(page_url(survey, sections(survey)[0]), {f"q{ids.postcode.pk}": "not a postcode"})
    assert response.status_code == 200
    assert "ob-error-summary" in response.text
    assert f'href="#id_q{ids.seen.pk}_0"' in response.text
    assert "Choose an answer" in response.text
    assert "Enter a full UK postcode" in response.text
    assert 'value="not a postcode"' in response.text
    assert response.text.count('aria-invalid="true"') >= 1


def test_sending_twice_is_one_response(client, survey, ids, world):
    _first, _, third = sections(survey)
    answer_first(client, survey, ids, seen=False, postcode=world.west_postcode)
    client.post(page_url(survey, third), {})
    client.post(f"/surveys/{survey.slug}/check-your-answers/")
    # A second browser tab still holding the same session's draft: the draft is gone, so nothing new is sent.
    again = client.post(f"/surveys/{survey.slug}/check-your-answers/")
    assert again.status_code == 302
    assert Response.objects.count() == 1


def test_a_closed_survey_says_so(client, survey, world):
    services.survey_close(survey=survey, actor=world.lead)
    response = client.get(f"/surveys/{survey.slug}/")
    assert "This survey has closed" in response.text
    assert "This survey has closed" in client.get(page_url(survey, sections(survey)[0])).text


def test_submitting_is_rate_limited_per_client(survey, ids, world):
    """SURVEYS_SUBMIT_LIMIT, default 20 an hour per client address."""
    _first, _, third = sections(survey)
    for _n in range(21):
        client = Client()
        answer_first(client, survey, ids, seen=False, postcode=world.west_postcode)
        client.post(page_url(survey, third), {})
        response = client.post(f"/surveys/{survey.slug}/check-your-answers/")
    assert response.status_code == 429
    assert Response.objects.count() == 20


junk = st.one_of(st.text(max_size=30), st.sampled_from(["", "0", "-1", "99999999999999999999", "1.5", "\x00", "yes"]))


@given(data=st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e", "f"]), st.lists(junk, max_size=3), max_size=6))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fuzzed_pages_never_fail(client, survey, ids, data):
    names = {
        "a": f"q{ids.seen.pk}",
        "b": f"q{ids.safe.pk}",
        "c": f"q{ids.postcode.pk}",
        "d": f"q{ids.doing.pk}",
        "e": f"q{ids.grid.pk}_{ids.friendly}",
        "f": f"q{ids.likely.pk}",
    }
    posted = {names[k]: v for k, v in data.items()}
    for section in sections(survey):
        response = client.post(page_url(survey, section), posted)
        assert response.status_code in (200, 302)
    assert client.post(f"/surveys/{survey.slug}/check-your-answers/").status_code in (200, 302)
    assert client.get(f"/surveys/{survey.slug}/page/999999999999999999999/").status_code in (302, 404)
