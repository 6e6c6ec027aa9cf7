"""The youth pages and the anonymous question journey: ask, see the reference once, read the answer with it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from openbeat.audit.models import AuditEntry
from openbeat.youth import services
from openbeat.youth.models import AnonymousQuestion

pytestmark = pytest.mark.django_db

HELP = ("999", "0800 1111", "101")


def _reference(page: str) -> str:
    return re.search(r'class="yth-reference">([A-Z0-9-]+)<', page).group(1)


def test_the_youth_home_lists_articles_by_topic_and_the_parents_section(client, site):
    page = client.get("/youth/").content.decode()
    assert 'id="topic-online-safety"' in page
    assert site.article.url in page
    assert "For parents and carers" in page
    assert "youth/youth.css" in page


def test_an_article_and_the_parents_pages_render(client, site):
    article = client.get(site.article.url).content.decode()
    parents = client.get(site.parents.url).content.decode()
    parents_article = client.get(site.parents_article.url).content.decode()
    assert "The cat sat on the mat." in article
    assert "Talking about bullying" in parents
    assert "The cat sat on the mat." in parents_article


def test_the_ask_page_says_no_personal_data_and_where_to_get_help(client, site):
    page = client.get("/youth/ask/").content.decode()
    assert "We do not ask for your name, email, phone number or address" in page
    assert "We do not keep your internet address" in page
    for number in HELP:
        assert number in page
    assert 'name="email"' not in page
    assert 'name="name"' not in page


def test_the_whole_journey_ask_reference_once_then_a_private_answer(site, people):
    young = Client()
    response = young.post("/youth/ask/", {"text": "Can I get in trouble for a photo my ex shared?"})
    assert response["Location"] == "/youth/ask/sent/"
    sent = young.get("/youth/ask/sent/").content.decode()
    reference = _reference(sent)
    for number in HELP:
        assert number in sent
    # Shown once: a reload does not show it again.
    assert young.get("/youth/ask/sent/")["Location"] == "/youth/ask/answer/"

    waiting = young.post("/youth/ask/answer/", {"reference": reference}).content.decode()
    assert "We have not answered yet" in waiting

    question = AnonymousQuestion.objects.get()
    services.question_answer(question=question, actor=people.hq, answer="No, you are the victim.", public=False)
    answered = Client().post("/youth/ask/answer/", {"reference": reference.lower()}).content.decode()
    assert "No, you are the victim." in answered
    assert "Can I get in trouble" in answered


def test_a_wrong_reference_is_refused_without_revealing_anything(client, site, people):
    question = services.question_submit(text="A secret question").question
    services.question_answer(question=question, actor=people.hq, answer="A secret answer", public=False)
    response = client.post("/youth/ask/answer/", {"reference": "ABCD-EFGH-JKMN"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "We could not find a question with that reference" in page
    assert 'href="#id_reference"' in page
    assert "secret" not in page


def test_an_empty_question_shows_the_error_summary_and_a_long_one_keeps_what_was_typed(client, site):
    empty = client.post("/youth/ask/", {"text": ""})
    long_text = "I am worried " * 200
    long = client.post("/youth/ask/", {"text": long_text}).content.decode()
    assert empty.status_code == 400
    assert 'href="#id_text"' in empty.content.decode()
    assert "There is a problem" in long
    assert "I am worried I am worried" in long
    assert AnonymousQuestion.objects.count() == 0


def test_no_address_is_kept_when_a_question_is_sent(site):
    Client(REMOTE_ADDR="203.0.113.9").post("/youth/ask/", {"text": "Is it illegal to carry a pocket knife?"})
    entries = AuditEntry.objects.filter(action__startswith="youth.")
    assert entries.count() == 1
    assert [e.ip for e in entries] == [None]


def test_the_form_is_rate_limited(site, settings):
    client = Client()
    for _ in range(settings.YOUTH_ASK_LIMIT):
        client.post("/youth/ask/", {"text": "Hello?"})
    assert client.post("/youth/ask/", {"text": "Hello?"}).status_code == 429
    assert AnonymousQuestion.objects.count() == settings.YOUTH_ASK_LIMIT


def test_reading_answers_is_rate_limited_against_guessing(site, settings):
    client = Client()
    for _ in range(settings.YOUTH_ANSWER_LIMIT):
        client.post("/youth/ask/answer/", {"reference": "ABCD-EFGH-JKMN"})
    assert client.post("/youth/ask/answer/", {"reference": "ABCD-EFGH-JKMN"}).status_code == 429


def test_a_question_is_public_only_after_moderation(client, site, people):
    question = services.question_submit(text="Is vaping illegal for under-18s?").question
    assert "Is vaping illegal" not in client.get("/youth/ask/answered/").content.decode()
    assert "Is vaping illegal" not in client.get("/youth/").content.decode()
    services.question_answer(
        question=question, actor=people.hq, answer="Buying vapes is.", public=True, public_text="Is vaping illegal?"
    )
    assert "Buying vapes is." in client.get("/youth/ask/answered/").content.decode()
    assert "Buying vapes is." in client.get("/youth/").content.decode()


def test_a_private_answer_never_shows_on_the_site(client, site, people):
    question = services.question_submit(text="Private one").question
    services.question_answer(question=question, actor=people.hq, answer="Just for you", public=False)
    assert "Just for you" not in client.get("/youth/ask/answered/").content.decode()
