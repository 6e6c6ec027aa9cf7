"""Feeds are cheap and never stale: the built document is kept in the shared cache under the public pages'
generation, answered with ETag and Last-Modified (and 304s), and rebuilt after any public change, an appeal's
redaction included."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from openbeat.feeds import documents
from openbeat.feeds.tests.conftest import appeal, get, news, parse, sent_alert
from openbeat.news import services
from openbeat.news.models import NewsPage

pytestmark = pytest.mark.django_db


def test_a_feed_has_an_etag_last_modified_and_a_short_public_max_age(site, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    story = NewsPage.objects.get(pk=news(site.index).pk)
    response = get("/feeds/news.rss")
    assert response["ETag"].startswith('"')
    assert len(response["ETag"]) == 34
    assert response["Last-Modified"] == http_date(int(story.last_published_at.timestamp()))
    assert response["Cache-Control"] == "public, max-age=60"
    assert get("/feeds/news.rss")["ETag"] == response["ETag"]


def test_a_reader_that_has_the_feed_gets_a_304(site):
    news(site.index)
    first = get("/feeds/everything.atom")
    again = get("/feeds/everything.atom", if_none_match=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    since = get("/feeds/everything.atom", if_modified_since=first["Last-Modified"])
    assert since.status_code == 304


def test_a_changed_feed_is_sent_again_whatever_the_reader_had(site):
    news(site.index, "First")
    first = get("/feeds/news.rss")
    news(site.index, "Second", slug="second")
    response = get("/feeds/news.rss", if_none_match=first["ETag"])
    assert response.status_code == 200
    assert response["ETag"] != first["ETag"]
    assert [e.title for e in parse(response).entries] == ["Second", "First"]


def test_an_edit_shows_in_the_next_request(site):
    story = news(site.index, "Before the edit")
    assert parse(get("/feeds/news.atom")).entries[0].title == "Before the edit"
    story.title = "After the edit"
    story.save_revision().publish()
    assert parse(get("/feeds/news.atom")).entries[0].title == "After the edit"


def test_a_redacted_appeal_shows_only_the_resolved_notice(site, world):
    missing = appeal(site.index, neighbourhoods=[world.west_a])
    paths = [
        f"{scope}{kind}.{fmt}"
        for scope in ("/feeds/", "/feeds/divisions/west/", f"/feeds/neighbourhoods/{world.west_a.code}/")
        for kind in ("appeals", "everything")
        for fmt in ("rss", "atom")
    ]
    before = {path: get(path) for path in paths}  # each kept in the cache
    assert all(b"Jane Doe" in response.content for response in before.values())

    services.appeal_set_outcome(appeal=missing, actor=world.lead_west, outcome="found-safe")

    for path in paths:
        response = get(path, if_none_match=before[path]["ETag"])
        assert response.status_code == 200, path
        assert b"Jane" not in response.content, path
        (entry,) = parse(response).entries
        assert entry.title == "Missing person appeal: found safe"
        assert services.RESOLVED_NOTICE in entry.summary
        assert {t.term for t in entry.tags} == {"Appeal", "Resolved: Found safe"}


def test_the_cached_path_is_one_cache_read_and_no_query(site, world):
    news(site.index)
    sent_alert()
    path = f"/feeds/neighbourhoods/{world.west_a.code}/everything.rss"
    first = get(path)
    with (
        mock.patch.object(documents, "cache", wraps=documents.cache) as spy,
        CaptureQueriesContext(connection) as queries,
    ):
        again = get(path)
    assert again.content == first.content
    assert spy.get.call_count == 1
    assert spy.set.call_count == 0
    assert len(queries) == 0, [q["sql"] for q in queries]


def test_an_unknown_area_is_kept_too(site):
    assert get("/feeds/divisions/north/news.rss").status_code == 404
    with CaptureQueriesContext(connection) as queries:
        assert get("/feeds/divisions/north/news.rss").status_code == 404
    # Only Wagtail's redirects middleware reads (its site and a redirect for any 404): the area is not looked up.
    assert not any("areas_" in q["sql"] for q in queries)
    assert all("wagtail" in q["sql"] for q in queries), [q["sql"] for q in queries]


def _build_queries(path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("scope", ["/feeds/", "/feeds/divisions/west/", "neighbourhood"])
def test_building_a_feed_costs_the_same_few_queries_for_many_items(site, world, scope, django_assert_max_num_queries):
    from openbeat.news.tests.conftest import image

    if scope == "neighbourhood":
        scope = f"/feeds/neighbourhoods/{world.west_a.code}/"
    path = f"{scope}everything.atom"

    def add(n: int) -> None:
        for i in range(n):
            story = news(site.index, f"Story {i}", slug=f"story-{i}-{n}", lead_image=image(), lead_image_alt="A")
            story.tags.add("tag-a", "tag-b")
            story.save_revision().publish()
            appeal(site.index, f"Appeal {i}", slug=f"appeal-{i}-{n}", kind="witness", subject_name="")
            sent_alert(f"Alert {i}", areas={"neighbourhoods": [world.west_a.pk]})

    add(1)
    get(path)  # renditions made once; alerts' coverage computed once (cached per alert by alerts.selectors)
    news(site.index, "Moves the generation", slug="moves")
    few = _build_queries(path)
    add(8)
    get(path)
    news(site.index, "Moves it again", slug="moves-again")
    many = _build_queries(path)
    assert many == few, (few, many)
    news(site.index, "And again", slug="and-again")
    with django_assert_max_num_queries(12):
        get(path)
