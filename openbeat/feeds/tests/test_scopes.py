"""Feeds per division and per neighbourhood: their own items, their neighbourhoods' or division's, and the
force-wide ones; never another division's. Unknown areas are a plain 404."""

from __future__ import annotations

import pytest

from openbeat.feeds.tests.conftest import appeal, get, news, parse, sent_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(site, world):
    news(site.index, "Force-wide story", slug="force")
    news(site.index, "West division story", slug="west", divisions=[world.west])
    news(site.index, "Abbey story", slug="abbey", neighbourhoods=[world.west_a])
    news(site.index, "Brook story", slug="brook", neighbourhoods=[world.west_b])
    news(site.index, "East division story", slug="east", divisions=[world.east])
    appeal(site.index, "Castle appeal", slug="castle", kind="witness", subject_name="", neighbourhoods=[world.east_a])
    sent_alert("Force-wide alert")
    sent_alert("West alert", areas={"divisions": [world.west.pk]})
    sent_alert("Abbey alert", areas={"neighbourhoods": [world.west_a.pk]})
    sent_alert("Castle alert", areas={"neighbourhoods": [world.east_a.pk]})


def titles(path: str) -> set[str]:
    return {entry.title for entry in parse(get(path)).entries}


def test_the_force_feed_has_everything(placed):
    assert len(titles("/feeds/everything.rss")) == 10


def test_a_divisions_feed_has_its_items_and_force_wide_ones_not_another_divisions(placed):
    assert titles("/feeds/divisions/west/everything.rss") == {
        "Force-wide story",
        "West division story",
        "Abbey story",
        "Brook story",
        "Force-wide alert",
        "West alert",
        "Abbey alert",
    }
    assert titles("/feeds/divisions/east/news.atom") == {"Force-wide story", "East division story"}
    assert titles("/feeds/divisions/east/appeals.atom") == {"Castle appeal"}
    assert titles("/feeds/divisions/east/alerts.atom") == {"Force-wide alert", "Castle alert"}


def test_a_neighbourhoods_feed_has_its_divisions_items_but_not_its_neighbours(placed, world):
    assert titles(f"/feeds/neighbourhoods/{world.west_a.code}/everything.atom") == {
        "Force-wide story",
        "West division story",
        "Abbey story",
        "Force-wide alert",
        "West alert",
        "Abbey alert",
    }
    assert titles(f"/feeds/neighbourhoods/{world.west_b.code}/news.rss") == {
        "Force-wide story",
        "West division story",
        "Brook story",
    }


def test_a_page_about_two_places_is_listed_once(site, world):
    news(site.index, "Both", divisions=[world.west, world.east], neighbourhoods=[world.west_a, world.west_b])
    assert [e.title for e in parse(get("/feeds/divisions/west/news.rss")).entries] == ["Both"]


def test_the_feed_names_its_area(placed, world):
    feed = parse(get("/feeds/divisions/west/news.atom")).feed
    assert feed.title.endswith(": news in West division")
    assert feed.link.endswith("/news/?division=west&kind=news")
    feed = parse(get(f"/feeds/neighbourhoods/{world.west_a.code}/everything.rss")).feed
    assert feed.title.endswith("news, appeals and alerts in Abbey")
    assert feed.link.endswith(world.west_a.get_absolute_url())


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/divisions/north/news.rss",
        "/feeds/neighbourhoods/NOPE/everything.atom",
        "/feeds/neighbourhoods/%00/news.rss",
        "/feeds/divisions/%00/alerts.atom",
    ],
)
def test_an_unknown_area_is_a_plain_404(site, path):
    response = get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.startswith(b"Not found:")


def test_an_unknown_kind_or_format_is_not_found(site):
    assert get("/feeds/crimes.rss").status_code == 404
    assert get("/feeds/news.json").status_code == 404


def test_an_area_created_after_a_404_has_its_feed(site, world):
    from openbeat.areas.tests.factories import DivisionFactory

    assert get("/feeds/divisions/north/news.rss").status_code == 404
    DivisionFactory(name="North", code="north")
    assert get("/feeds/divisions/north/news.rss").status_code == 200
