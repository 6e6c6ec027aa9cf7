"""The back office's index pages: the owner, a user of another division and an outsider; HQ and an officer."""

from __future__ import annotations

import csv
import io
import uuid

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.staff.tests.factories import client_for
from openbeat.surveys import indices, services
from openbeat.surveys.models import SurveyIndex

pytestmark = pytest.mark.django_db


@pytest.fixture
def west_index(world, survey, ids):
    index = indices.index_create(actor=world.lead, name="West confidence", slug="west-confidence", division=world.west)
    safe = next(c for c in indices.candidates([survey]) if c.question_id == ids.safe.pk)
    indices.component_save(index=index, actor=world.lead, candidate=safe)
    return index


def answer(survey, ids, postcode, n, safe=4):
    for _ in range(n):
        services.response_submit(
            client_id=uuid.uuid4(), version=survey.current_version, answers=ids.answers(postcode=postcode, safe=safe)
        )


def test_the_owner_defines_an_index_and_scores_a_single_choice_question(world, survey, ids):
    client = client_for(world.lead)
    response = client.post(
        "/admin/surveys/indices/new/",
        {"name": "Seen", "slug": "seen", "description": "Seen officers", "division": world.west.pk},
    )
    index = SurveyIndex.objects.get(slug="seen")
    assert response["Location"] == f"/admin/surveys/indices/{index.pk}/"
    choose = client.get(f"/admin/surveys/indices/{index.pk}/questions/add/")
    assert "Have you seen police officers on patrol" in choose.text
    key = f"{survey.pk}:{ids.seen.pk}:"
    form = client.get(f"/admin/surveys/indices/{index.pk}/questions/add/?question={key}")
    assert "Score for &#x27;Yes&#x27;" in form.text
    bad = client.post(
        f"/admin/surveys/indices/{index.pk}/questions/add/",
        {"question": key, "weight": "1", f"score_{ids.yes}": "150", f"score_{ids.no}": "0"},
    )
    # The error summary links to the field, and what was typed stays.
    assert bad.status_code == 200
    assert f'href="#id_score_{ids.yes}"' in bad.text
    assert 'value="150"' in bad.text
    response = client.post(
        f"/admin/surveys/indices/{index.pk}/questions/add/",
        {"question": key, "weight": "2", f"score_{ids.yes}": "100", f"score_{ids.no}": ""},
    )
    assert response.status_code == 302
    component = index.components.get()
    assert (component.scores, component.weight) == ({str(ids.yes): 100.0}, 2.0)
    renamed = {"name": "Seen on patrol", "slug": "seen", "description": "", "division": world.west.pk}
    client.post(f"/admin/surveys/indices/{index.pk}/edit/", renamed)
    index.refresh_from_db()
    assert index.name == "Seen on patrol"
    client.post(f"/admin/surveys/indices/{index.pk}/questions/{component.pk}/remove/")
    assert not index.components.exists()
    assert AuditEntry.objects.filter(action="surveys.index.component_remove", actor=world.lead).exists()


def test_the_index_page_shows_scores_with_small_numbers_suppressed_and_exports_csv(world, survey, ids, west_index):
    answer(survey, ids, world.west_postcode, 12, safe=5)
    answer(survey, ids, world.east_postcode, 2, safe=1)
    client = client_for(world.hq)
    page = client.get(f"/admin/surveys/indices/{west_index.pk}/")
    assert page.status_code == 200
    assert 'role="img"' in page.text
    assert "Too few responses" in page.text  # east: 2 respondents
    assert "100.0" in page.text  # west: everyone said 5
    by_place = client.get(f"/admin/surveys/indices/{west_index.pk}/?by=neighbourhood&period=quarter")
    assert "Ashbridge" in by_place.text
    export = client.get(f"/admin/surveys/indices/{west_index.pk}/scores.csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == ["Area", "Period", "Score (0-100)", "Respondents"]
    east = next(r for r in rows if r[0] == world.east.name and r[1] != "All")
    assert east[2:] == ["", ""]
    assert AuditEntry.objects.filter(action="surveys.index.export", actor=world.hq).exists()


def test_division_staff_see_only_their_own_respondents(world, survey, ids, west_index):
    answer(survey, ids, world.west_postcode, 11, safe=5)
    answer(survey, ids, world.east_postcode, 11, safe=1)
    page = client_for(world.officer).get(f"/admin/surveys/indices/{west_index.pk}/")
    assert page.status_code == 200
    assert world.west.name in page.text
    assert f'<th scope="row">{world.east.name}</th>' not in page.text
    assert "Change the scores" not in page.text  # an officer sees scores but cannot build


def test_another_divisions_lead_cannot_see_or_change_it(world, west_index, refused):
    client = client_for(world.other)
    assert client.get(f"/admin/surveys/indices/{west_index.pk}/").status_code == 404
    assert client.post(f"/admin/surveys/indices/{west_index.pk}/edit/", {"name": "x", "slug": "x"}).status_code == 404
    assert client.get(f"/admin/surveys/indices/{west_index.pk}/scores.csv").status_code == 404
    component = west_index.components.get()
    assert client.post(f"/admin/surveys/indices/{west_index.pk}/questions/{component.pk}/remove/").status_code == 404
    assert west_index.name not in client.get("/admin/surveys/indices/").text
    assert west_index.components.exists()


def test_division_staff_cannot_define_a_force_wide_index(world, refused):
    response = client_for(world.lead).post("/admin/surveys/indices/new/", {"name": "All", "slug": "all"})
    assert response.status_code == 200
    assert not SurveyIndex.objects.filter(slug="all").exists()
    assert refused(client_for(world.officer).get("/admin/surveys/indices/new/"))


def test_an_outsider_is_refused_everywhere(world, west_index, refused):
    client = client_for(world.public)
    for url in ("/admin/surveys/indices/", f"/admin/surveys/indices/{west_index.pk}/",
                f"/admin/surveys/indices/{west_index.pk}/scores.csv", "/admin/surveys/indices/new/"):  # fmt: skip
        assert refused(client.get(url))
    assert refused(client_for(None).get(f"/admin/surveys/indices/{west_index.pk}/"))
