"""The readability check: texts of known difficulty against the set levels, the panel on the edit view, and the
warning (never a refusal) on save and publish."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from openbeat.staff.tests.factories import client_for
from openbeat.youth.models import ParentsArticlePage, Topic, YouthArticlePage
from openbeat.youth.readability import article_text, page_readability, text_readability
from openbeat.youth.tests.conftest import EASY, HARD, body

pytestmark = pytest.mark.django_db


def test_an_easy_text_reads_below_an_11_year_olds_level():
    result = text_readability(EASY, limit=6)
    assert result.grade is not None
    assert result.grade < 4
    assert not result.too_hard


def test_an_academic_text_reads_far_above_it():
    result = text_readability(HARD, limit=6)
    assert result.grade > 15
    assert result.too_hard
    assert "hard for its readers" in result.message()


def test_a_very_short_text_is_not_judged():
    result = text_readability("Stay safe.", limit=6)
    assert result.grade is None
    assert not result.too_hard


def test_parents_pages_are_held_to_their_own_level(settings):
    settings.YOUTH_READING_GRADE = 6
    settings.YOUTH_PARENTS_READING_GRADE = 9
    # Grade 7.2: fine for adults, a little hard for an 11-year-old.
    medium = (
        "Talk to your child about the apps they use and the people they meet online. Agree together on sensible "
        "rules for phones at night, and check the privacy settings on each account. Remind them that they can "
        "always tell you if something online worries them, without losing their phone."
    )
    young = YouthArticlePage(title="t", topic=Topic.DRUGS, summary="", body=body(medium))
    adult = ParentsArticlePage(title="t", topic=Topic.DRUGS, summary="", body=body(medium))
    assert page_readability(young).too_hard
    assert not page_readability(adult).too_hard


def test_the_text_checked_is_the_summary_paragraphs_and_callouts_not_headings():
    page = YouthArticlePage(
        title="t",
        topic=Topic.DRUGS,
        summary="A summary.",
        body=[
            ("heading", "A heading without a full stop"),
            ("paragraph", "<p>A <b>paragraph</b></p>"),
            ("help_callout", {"title": "Get help now", "text": "<p>Call 999.</p>"}),
        ],
    )
    text = article_text(page)
    assert text == "A summary. A paragraph. Call 999."


def _edit(client, page, text: str, *, publish: bool = False):
    data = {
        "title": page.title,
        "slug": page.slug,
        "topic": page.topic,
        "summary": page.summary,
        "body-count": "1",
        "body-0-type": "paragraph",
        "body-0-value": f'{{"blocks":[{{"key":"a","text":"{text}","type":"unstyled","depth":0,'
        '"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}',
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-id": "",
    }
    if publish:
        data["action-publish"] = "action-publish"
    return client.post(f"/admin/pages/{page.pk}/edit/", data)


@pytest.mark.parametrize("publish", [False, True])
def test_saving_a_hard_article_warns_but_saves(site, people, publish):
    client = client_for(people.editor)
    response = _edit(client, site.article, HARD, publish=publish)
    assert response.status_code == 302
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert any("hard for its readers" in w for w in warnings)
    latest = YouthArticlePage.objects.get(pk=site.article.pk).get_latest_revision_as_object()
    assert "psychoactive" in article_text(latest)


def test_saving_an_easy_article_gives_no_warning(site, people):
    response = _edit(client_for(people.editor), site.article, EASY)
    assert response.status_code == 302
    assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


def test_the_edit_view_shows_the_reading_level(site, people):
    client = client_for(people.editor)
    _edit(client, site.article, HARD)
    page = client.get(f"/admin/pages/{site.article.pk}/edit/").content.decode()
    assert "data-readability" in page
    assert "Reading level: grade" in page
    assert "hard for its readers" in page
