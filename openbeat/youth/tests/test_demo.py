"""The demo force's youth site: articles on every topic at their reading level, the parents' section, one
question answered publicly; every row written down as the demo's; loading twice makes nothing new."""

from __future__ import annotations

import pytest

from openbeat.demo.registry import demo_keyed
from openbeat.demo.steps import demo_context, step_force, step_site_pages
from openbeat.demo.youth import step_youth
from openbeat.youth.models import (
    AnonymousQuestion,
    ParentsArticlePage,
    ParentsIndexPage,
    Topic,
    YouthArticlePage,
    YouthHomePage,
)
from openbeat.youth.readability import page_readability
from openbeat.youth.selectors import published_questions

pytestmark = pytest.mark.django_db

MODELS = (YouthHomePage, ParentsIndexPage, YouthArticlePage, ParentsArticlePage, AnonymousQuestion)


@pytest.fixture
def demo():
    ctx = demo_context()
    for step in (step_force, step_site_pages, step_youth):
        step(ctx)
    return ctx


def test_the_demo_has_an_article_for_every_topic_and_parents_articles(demo):
    assert {page.topic for page in YouthArticlePage.objects.live()} == set(Topic.values)
    assert ParentsArticlePage.objects.live().count() == 3
    assert YouthHomePage.objects.get().url == "/youth/"


def test_every_demo_article_reads_at_its_level(demo):
    for page in [*YouthArticlePage.objects.all(), *ParentsArticlePage.objects.all()]:
        assert not page_readability(page).too_hard, page.title


def test_the_demo_has_one_publicly_answered_question(client, demo):
    question = published_questions().get()
    assert "Hill Top" not in question.public_text  # the school's name was edited out
    assert question.answer in client.get("/youth/").content.decode().replace("&#x27;", "'")


def test_every_row_is_the_demos_and_loading_again_makes_nothing_new(demo):
    before = {model.__name__: model.objects.count() for model in MODELS}
    for model in MODELS:
        # Keyed, each one (demo_keyed reads a page's id whatever type its primary key is).
        assert len(demo_keyed(model.objects.all())) == model.objects.count()
    step_youth(demo)
    assert {model.__name__: model.objects.count() for model in MODELS} == before


def test_a_youth_site_the_demo_did_not_make_is_left_alone(demo):
    YouthHomePage.objects.get().delete()
    from openbeat.core.models import HomePage

    HomePage.objects.get().add_child(instance=YouthHomePage(title="Ours", slug="ours"))
    assert step_youth(demo).startswith("skipped")
    assert YouthArticlePage.objects.count() == 0
