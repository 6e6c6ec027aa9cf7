"""The page listing the feeds (force, each division, a neighbourhood found by postcode), a neighbourhood's feeds,
and the <link rel="alternate"> by which feed readers find feeds from the news and neighbourhood pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from openbeat.areas.models import Postcode
from openbeat.feeds.tests.conftest import appeal, news

pytestmark = pytest.mark.django_db


def alternates(html: str) -> list[tuple[str, str]]:
    return re.findall(
        r'<link rel="alternate" type="(application/(?:rss|atom)\+xml)" title="[^"]+" href="([^"]+)"', html
    )


def test_the_feeds_page_lists_the_force_and_each_divisions_feeds(site, world):
    response = Client().get("/feeds/")
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ("news", "appeals", "alerts", "everything"):
        for fmt in ("rss", "atom"):
            assert f'href="/feeds/{kind}.{fmt}"' in html
            assert f'href="/feeds/divisions/west/{kind}.{fmt}"' in html
            assert f'href="/feeds/divisions/east/{kind}.{fmt}"' in html
    assert "feed of news for West division" in html  # each link says what it is, to screen readers too
    assert ("application/rss+xml", "/feeds/everything.rss") in alternates(html)


def test_a_postcode_finds_the_neighbourhoods_feeds(site, world):
    Postcode.objects.create(postcode="DM1 1AA", lat=54.005, lon=-1.995, neighbourhood=world.west_a)
    response = Client().get("/feeds/", {"postcode": "dm11aa"})
    assert response.status_code == 302
    assert response["Location"] == f"/feeds/neighbourhoods/{world.west_a.code}/"
    page = Client().get(response["Location"])
    html = page.content.decode()
    assert f"Feeds for {world.west_a.name}" in html
    assert f'href="/feeds/neighbourhoods/{world.west_a.code}/everything.atom"' in html
    assert ("application/atom+xml", f"/feeds/neighbourhoods/{world.west_a.code}/everything.atom") in alternates(html)


def test_a_postcode_that_is_not_found_is_an_error_linked_to_the_field_keeping_what_was_typed(site):
    response = Client().get("/feeds/", {"postcode": "ZZ9 9ZZ"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_postcode"' in html
    assert 'value="ZZ9 9ZZ"' in html


def test_an_unknown_neighbourhoods_feeds_page_is_not_found(site):
    assert Client().get("/feeds/neighbourhoods/NOPE/").status_code == 404


def test_news_pages_name_their_feeds(site, world):
    story = news(site.index)
    missing = appeal(site.index)
    index_html = Client().get(site.index.url).content.decode()
    assert ("application/rss+xml", "/feeds/news.rss") in alternates(index_html)
    assert ("application/atom+xml", "/feeds/appeals.atom") in alternates(index_html)
    assert ("application/rss+xml", "/feeds/news.rss") in alternates(Client().get(story.url).content.decode())
    assert ("application/rss+xml", "/feeds/appeals.rss") in alternates(Client().get(missing.url).content.decode())


def test_the_neighbourhood_page_names_its_feed(site, world):
    html = Client().get(world.west_a.get_absolute_url()).content.decode()
    code = world.west_a.code
    assert alternates(html) == [
        ("application/rss+xml", f"/feeds/neighbourhoods/{code}/everything.rss"),
        ("application/atom+xml", f"/feeds/neighbourhoods/{code}/everything.atom"),
    ]
