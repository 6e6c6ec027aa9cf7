"""The back office's survey pages: the owner, a user of another division and an outsider."""

from __future__ import annotations

import uuid

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.staff.tests.factories import client_for
from openbeat.surveys import services
from openbeat.surveys.models import Answer, Question, Survey
from openbeat.surveys.tests.conftest import PRIVACY

pytestmark = pytest.mark.django_db


def test_the_owner_builds_publishes_and_closes_a_survey(world, refused):
    client = client_for(world.lead)
    response = client.post(
        "/admin/surveys/new/",
        {"title": "Parks", "slug": "parks", "intro": "", "privacy_notice": PRIVACY, "division": world.west.pk},
    )
    survey = Survey.objects.get(slug="parks")
    assert response["Location"] == f"/admin/surveys/{survey.pk}/"
    client.post(f"/admin/surveys/{survey.pk}/sections/add/", {"title": "About the park", "intro": ""})
    section = survey.sections.get()
    response = client.post(
        f"/admin/surveys/{survey.pk}/sections/{section.pk}/questions/add/",
        {
            "kind": "single",
            "text": "Do you use the park?",
            "hint": "",
            "required": "on",
            "options-TOTAL_FORMS": "3",
            "options-INITIAL_FORMS": "0",
            "options-0-label": "Yes",
            "options-1-label": "No",
            "options-2-label": "",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(text="Do you use the park?")
    assert list(question.options.values_list("label", flat=True)) == ["Yes", "No"]
    page = client.get(f"/admin/surveys/{survey.pk}/")
    assert "Do you use the park?" in page.text
    assert client.get(f"/admin/surveys/{survey.pk}/preview/").status_code == 200
    client.post(f"/admin/surveys/{survey.pk}/publish/")
    survey.refresh_from_db()
    assert survey.state == Survey.State.OPEN
    assert client.get(f"/admin/surveys/{survey.pk}/qr.png")["Content-Type"] == "image/png"
    assert client.get(f"/admin/surveys/{survey.pk}/qr.svg").content.startswith(b"<svg")
    client.post(f"/admin/surveys/{survey.pk}/close/")
    survey.refresh_from_db()
    assert survey.state == Survey.State.CLOSED
    assert AuditEntry.objects.filter(action="surveys.survey.close", actor=world.lead).exists()


def test_another_divisions_lead_cannot_see_or_change_it(world, survey, refused):
    client = client_for(world.other)
    assert client.get(f"/admin/surveys/{survey.pk}/").status_code == 404
    assert client.post(f"/admin/surveys/{survey.pk}/close/").status_code == 404
    assert client.get(f"/admin/surveys/{survey.pk}/results/").status_code == 404
    assert survey.title not in client.get("/admin/surveys/").text
    survey.refresh_from_db()
    assert survey.state == Survey.State.OPEN


def test_an_officer_sees_results_but_cannot_build(world, survey, refused):
    client = client_for(world.officer)
    assert client.get(f"/admin/surveys/{survey.pk}/results/").status_code == 200
    assert refused(client.post(f"/admin/surveys/{survey.pk}/publish/"))
    assert refused(client.get("/admin/surveys/new/"))


def test_an_outsider_is_refused_everywhere(world, survey, refused):
    client = client_for(world.public)
    for url in ("/admin/surveys/", f"/admin/surveys/{survey.pk}/", f"/admin/surveys/{survey.pk}/results/"):
        assert refused(client.get(url))
    assert refused(client.post(f"/admin/surveys/{survey.pk}/close/"))
    assert refused(client_for(None).get(f"/admin/surveys/{survey.pk}/results.csv"))


def test_results_page_and_exports(world, survey, ids):
    for _ in range(12):
        services.response_submit(
            client_id=uuid.uuid4(), version=survey.current_version, answers=ids.answers(postcode=world.west_postcode)
        )
    services.response_submit(
        client_id=uuid.uuid4(),
        version=survey.current_version,
        answers=ids.answers(postcode=world.west_postcode, comment="Great work"),
    )
    client = client_for(world.lead)
    page = client.get(f"/admin/surveys/{survey.pk}/results/?breakdown=neighbourhood")
    assert page.status_code == 200
    assert "Ashbridge" in page.text
    assert 'role="img"' in page.text
    assert "Great work" in page.text
    csv = client.get(f"/admin/surveys/{survey.pk}/results.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert client.get(f"/admin/surveys/{survey.pk}/results.xlsx").status_code == 200
    assert AuditEntry.objects.filter(action="surveys.results.export").count() == 2
    answer = Answer.objects.get(text="Great work")
    client.post(f"/admin/surveys/{survey.pk}/answers/{answer.pk}/moderate/", {"shown": "1"})
    answer.refresh_from_db()
    assert answer.moderation == Answer.Moderation.SHOWN
    assert client_for(world.other).post(f"/admin/surveys/{survey.pk}/answers/{answer.pk}/moderate/").status_code == 404


def test_bad_formats_and_items_are_not_found(world, survey):
    client = client_for(world.lead)
    assert client.get(f"/admin/surveys/{survey.pk}/results.pdf").status_code == 404
    assert client.post(f"/admin/surveys/{survey.pk}/question/1/explode/").status_code == 404
