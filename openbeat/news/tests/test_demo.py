"""The demo force's news and appeals: the index with its workflow, news, open and resolved appeals, every page the
demo's; loading twice makes nothing new."""

from __future__ import annotations

import pytest
from django.test import Client

from openbeat.demo.news import step_news
from openbeat.demo.registry import demo_keyed
from openbeat.demo.steps import demo_context, step_force, step_geography, step_site_pages, step_staff
from openbeat.news.models import AppealPage, NewsIndexPage, NewsPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    ctx = demo_context()
    for step in (step_force, step_geography, step_staff, step_site_pages, step_news):
        step(ctx)
    return ctx


def test_the_demo_has_news_and_open_and_resolved_appeals(demo):
    index = NewsIndexPage.objects.get()
    assert index.url == "/news/"
    assert index.get_workflow() is not None
    assert NewsPage.objects.live().filter(appealpage__isnull=True).count() == 3
    outcomes = sorted(AppealPage.objects.live().values_list("outcome", flat=True))
    assert outcomes == ["", "", "charged", "found-safe"]
    found = AppealPage.objects.get(outcome="found-safe")
    assert found.redacted_at is not None
    assert found.subject_name == ""
    assert Client().get("/news/").status_code == 200
    assert len(demo_keyed(NewsPage.objects.all())) == 3
    assert len(demo_keyed(AppealPage.objects.all())) == 4


def test_loading_the_demo_twice_makes_nothing_new(demo):
    assert step_news(demo) == "news index with 0 new stories and appeals"
    assert NewsPage.objects.count() == 7
