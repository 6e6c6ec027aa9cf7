"""The neighbourhood page's "News and appeals" section."""

from __future__ import annotations

import pytest
from django.test import Client

from openbeat.news import selectors
from openbeat.news.tests.conftest import appeal, news

pytestmark = pytest.mark.django_db


def test_a_neighbourhood_page_lists_news_and_appeals_about_it_or_its_division(site, world):
    news(site.index, "About Abbey", neighbourhoods=[world.west_a])
    news(site.index, "About West", slug="west", divisions=[world.west])
    news(site.index, "About Brook", slug="brook", neighbourhoods=[world.west_b])
    news(site.index, "Force-wide", slug="force")
    appeal(site.index, "Appeal in Abbey", neighbourhoods=[world.west_a])
    response = Client().get(world.west_a.get_absolute_url())
    html = response.content.decode()
    assert '<h2 class="ob-heading-l" id="news">News and appeals</h2>' in html
    for title in ("About Abbey", "About West", "Appeal in Abbey"):
        assert title in html
    assert "About Brook" not in html
    assert "Force-wide" not in html
    assert f"{site.index.url}?neighbourhood={world.west_a.code}" in html


def test_the_section_shows_the_latest_few(site, world):
    for n in range(selectors.SECTION_LIMIT + 2):
        news(site.index, f"Story {n}", slug=f"s{n}", neighbourhoods=[world.west_a])
    section = selectors.neighbourhood_news_section(world.west_a)
    assert [i.title for i in section["items"]] == [f"Story {n}" for n in range(6, 1, -1)]


def test_with_no_news_the_section_says_so(site, world):
    html = Client().get(world.east_a.get_absolute_url()).content.decode()
    assert "There is no recent news or appeal for this neighbourhood." in html
