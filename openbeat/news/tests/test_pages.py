"""The page types: the tree rules, alt text, tags and areas, the index's filters and pages, and search."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

from openbeat.core.models import ContentPage, HomePage
from openbeat.news import listing
from openbeat.news.models import AppealPage, NewsIndexPage, NewsPage
from openbeat.news.tests.conftest import appeal, body, image, news

pytestmark = pytest.mark.django_db


def test_the_news_index_hangs_from_the_home_page_and_holds_only_news_and_appeals():
    assert NewsIndexPage in HomePage.allowed_subpage_models()
    assert ContentPage in HomePage.allowed_subpage_models()
    assert set(NewsIndexPage.allowed_subpage_models()) == {NewsPage, AppealPage}
    assert NewsPage.allowed_parent_page_models() == [NewsIndexPage]
    assert AppealPage.allowed_parent_page_models() == [NewsIndexPage]
    assert NewsPage.allowed_subpage_models() == []
    assert not NewsPage.can_create_at(Page.get_first_root_node())


def test_only_one_news_index(site):
    assert not NewsIndexPage.can_create_at(site.home)


def test_a_lead_image_needs_its_alt_text(site):
    page = NewsPage(title="Story", slug="story", summary="S", lead_image=image())
    with pytest.raises(ValidationError) as error:
        site.index.add_child(instance=page)
    assert "lead_image_alt" in error.value.message_dict
    page.lead_image_alt = "Two officers outside the school"
    site.index.add_child(instance=page)
    assert NewsPage.objects.filter(slug="story").exists()


def test_an_image_block_needs_its_alt_text():
    from wagtail.blocks import StructBlockValidationError

    from openbeat.news.blocks import ImageBlock

    block = ImageBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"image": image().pk, "alt": "", "caption": ""}))
    assert "alt" in error.value.block_errors


def test_the_address_of_an_appeal_may_not_hold_the_persons_name(site):
    page = AppealPage(title="Missing", slug="jane-doe-missing", summary="S", subject_name="Jane Doe")
    with pytest.raises(ValidationError) as error:
        site.index.add_child(instance=page)
    assert "slug" in error.value.message_dict


def test_a_news_page_shows_its_story_areas_and_tags(site, world):
    page = news(site.index, neighbourhoods=[world.west_a])
    page.tags.add("burglary")
    page.save_revision().publish()
    response = Client().get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Officers join school safety day" in html
    assert "Abbey" in html
    assert "burglary" in html


def test_the_lead_image_is_shown_with_its_alt_text(site):
    page = news(site.index, lead_image=image(), lead_image_alt="Two officers outside the school")
    html = Client().get(page.url).content.decode()
    assert 'alt="Two officers outside the school"' in html


def test_the_index_lists_news_and_appeals_newest_first_and_filters_by_area_and_kind(site, world):
    force_wide = news(site.index, "Force news")
    abbey = news(site.index, "Abbey news", neighbourhoods=[world.west_a])
    east = news(site.index, "East news", divisions=[world.east])
    west_appeal = appeal(site.index, "Witness appeal", slug="witness", kind="witness", divisions=[world.west])
    client = Client()
    titles = lambda params: [item.title for item in client.get(site.index.url, params).context["items"]]  # noqa: E731
    assert titles({}) == [west_appeal.title, east.title, abbey.title, force_wide.title]
    assert titles({"neighbourhood": world.west_a.code}) == [west_appeal.title, abbey.title]
    assert titles({"division": world.east.code}) == [east.title]
    assert titles({"division": world.west.code}) == [west_appeal.title, abbey.title]
    assert titles({"kind": "appeals"}) == [west_appeal.title]
    assert titles({"kind": "news"}) == [east.title, abbey.title, force_wide.title]


def test_the_index_is_paginated(site, monkeypatch):
    monkeypatch.setattr(listing, "PER_PAGE", 2)
    for n in range(5):
        news(site.index, f"Story {n}", slug=f"story-{n}")
    response = Client().get(site.index.url, {"page": 3})
    assert [item.title for item in response.context["items"]] == ["Story 0"]
    assert "Page 3 of 3" in response.content.decode()


def test_drafts_are_not_listed(site):
    draft = NewsPage(title="Draft", slug="draft", summary="S", body=body("x"))
    site.index.add_child(instance=draft)
    draft.save_revision()
    Page.objects.filter(pk=draft.pk).update(live=False)
    assert "Draft" not in Client().get(site.index.url).content.decode()


def test_news_and_appeals_are_found_by_search(site):
    appeal(site.index)
    news(site.index, "Knife amnesty begins")
    backend = get_search_backend()
    assert [p.title for p in backend.search("amnesty", NewsPage)] == ["Knife amnesty begins"]
    assert [p.title for p in backend.search("Jane", AppealPage)] == ["Have you seen Jane Doe?"]
