"""The back office's question queue, a question's page and the safeguarding settings: the owner (force-wide staff
with the permission), another division's staff and outsiders, for every view."""

from __future__ import annotations

import pytest

from openbeat.audit.models import AuditEntry
from openbeat.staff.tests.factories import client_for
from openbeat.youth import services
from openbeat.youth.models import AnonymousQuestion, SafeguardingSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def question() -> AnonymousQuestion:
    return services.question_submit(text="Is it ok that an older boy keeps messaging my friend?").question


def _views(q):
    return {
        "list": ("get", "/admin/youth-questions/", None),
        "question": ("get", f"/admin/youth-questions/{q.pk}/", None),
        "answer": ("post", f"/admin/youth-questions/{q.pk}/", {"visibility": "public", "answer": "Hacked"}),
        "reject": ("post", f"/admin/youth-questions/{q.pk}/reject/", {}),
        "unpublish": ("post", f"/admin/youth-questions/{q.pk}/unpublish/", {}),
        "settings": ("post", "/admin/youth-questions/safeguarding/", {"emails": "evil@example.org", "words": ""}),
    }


@pytest.mark.parametrize("name", ["list", "question", "answer", "reject", "unpublish", "settings"])
def test_another_division_is_sent_to_the_dashboard(people, question, name):
    method, url, data = _views(question)[name]
    response = getattr(client_for(people.lead), method)(url, data or {})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    question.refresh_from_db()
    assert question.state == AnonymousQuestion.State.NEW
    assert not SafeguardingSettings.objects.exists()


@pytest.mark.parametrize("name", ["list", "question", "answer", "reject", "unpublish", "settings"])
def test_outsiders_are_sent_to_sign_in(people, question, name, refused):
    method, url, data = _views(question)[name]
    for client in (client_for(None), client_for(people.public)):
        response = getattr(client, method)(url, data or {})
        assert refused(response)
    assert client_for(None).get(url)["Location"].startswith("/admin/login/")
    question.refresh_from_db()
    assert question.state == AnonymousQuestion.State.NEW


def test_the_owner_sees_the_queue_with_urgent_questions_first(people, question):
    urgent = services.question_submit(text="I am not safe at home").question
    page = client_for(people.hq).get("/admin/youth-questions/").content.decode()
    assert page.index(f"/admin/youth-questions/{urgent.pk}/") < page.index(f"/admin/youth-questions/{question.pk}/")
    assert "Urgent" in page


def test_the_owner_edits_the_question_and_publishes_the_answer(people, question):
    client = client_for(people.hq)
    page = client.get(f"/admin/youth-questions/{question.pk}/").content.decode()
    assert "older boy keeps messaging my friend" in page
    response = client.post(
        f"/admin/youth-questions/{question.pk}/",
        {"visibility": "public", "public_text": "Is it ok that an adult keeps messaging a friend?", "answer": "No."},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.state == AnonymousQuestion.State.PUBLISHED
    assert question.public_text == "Is it ok that an adult keeps messaging a friend?"
    assert AuditEntry.objects.get(action="youth.question.publish").actor == people.hq


def test_a_missing_answer_shows_the_error_summary_and_keeps_what_was_typed(people, question):
    response = client_for(people.hq).post(
        f"/admin/youth-questions/{question.pk}/", {"visibility": "public", "public_text": "Kept words", "answer": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert 'href="#id_answer"' in page
    assert "Kept words" in page


def test_the_owner_rejects(people, question):
    assert client_for(people.hq).post(f"/admin/youth-questions/{question.pk}/reject/").status_code == 302
    question.refresh_from_db()
    assert question.state == AnonymousQuestion.State.REJECTED


def test_hq_cannot_change_the_safeguarding_settings_but_an_administrator_can(people):
    hq = client_for(people.hq).post("/admin/youth-questions/safeguarding/", {"emails": "a@police.example"})
    admin = client_for(people.admin)
    saved = admin.post("/admin/youth-questions/safeguarding/", {"emails": "duty@police.example", "words": ""})
    assert hq["Location"] == "/admin/"
    assert saved.status_code == 302
    assert SafeguardingSettings.objects.get().email_list == ["duty@police.example"]
    assert AuditEntry.objects.get(action="youth.safeguarding_settings.change").actor == people.admin


def test_a_bad_address_in_the_settings_shows_the_error_and_keeps_it(people):
    response = client_for(people.admin).post("/admin/youth-questions/safeguarding/", {"emails": "nope", "words": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_emails"' in page
    assert "nope" in page
