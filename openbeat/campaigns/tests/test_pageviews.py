"""Page views counted by OpenBeat: full renders and cached replays counted, robots and failures not, nothing about
the visitor kept, and the flush from the shared cache to the database idempotent."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from openbeat.campaigns import pageviews
from openbeat.campaigns.models import PageView
from openbeat.campaigns.pageviews import counter_key, is_bot, page_views_flush
from openbeat.campaigns.tests.conftest import BROWSER

pytestmark = pytest.mark.django_db


def counted(page) -> int:
    return int(cache.get(counter_key(timezone.localdate(), page.pk)) or 0)


def test_a_rendered_page_is_counted(page):
    response = Client().get(page.url, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert counted(page) == 1


def test_a_page_replayed_from_the_public_page_cache_is_counted(page):
    client = Client()
    client.get(page.url, HTTP_USER_AGENT=BROWSER)
    replayed = client.get(page.url, HTTP_USER_AGENT=BROWSER)
    assert replayed["X-Page-Cache"] == "hit"
    assert counted(page) == 2


def test_a_visitor_with_cookies_is_counted_too(page):
    client = Client()
    client.cookies["sessionid"] = "not-a-session"
    client.get(page.url, HTTP_USER_AGENT=BROWSER)
    assert counted(page) == 1


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
    ],
)
def test_robots_are_not_counted(page, agent):
    client = Client()
    client.get(page.url, HTTP_USER_AGENT=agent)
    client.get(page.url, HTTP_USER_AGENT=agent)
    assert counted(page) == 0


def test_a_browser_is_not_a_robot():
    assert not is_bot(BROWSER)


def kept_in_cache() -> list[tuple[str, object]]:
    """What the cache holds under the page views' keys, whatever its backend (memory in tests, Redis in CI)."""
    backend = cache._cache  # type: ignore[attr-defined]
    if hasattr(backend, "items"):  # LocMemCache: a dict
        return [(k, v) for k, v in backend.items() if pageviews.KEY_PREFIX in k]
    client = backend.get_client()  # RedisCache
    return [(k.decode(), client.get(k)) for k in client.scan_iter(match=f"*{pageviews.KEY_PREFIX}*")]


def test_other_methods_and_missing_pages_are_not_counted(page):
    client = Client()
    client.head(page.url, HTTP_USER_AGENT=BROWSER)
    assert client.get(page.url + "no-such-page/", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert counted(page) == 0


def test_pages_that_are_not_wagtail_pages_are_not_counted(page):
    Client().get("/report/", HTTP_USER_AGENT=BROWSER)
    assert PageView.objects.count() == 0
    assert not kept_in_cache()


def test_counting_can_be_turned_off(page, settings):
    settings.PAGE_VIEWS = False
    Client().get(page.url, HTTP_USER_AGENT=BROWSER)
    assert counted(page) == 0


def test_views_wait_in_the_process_until_the_push_interval(page, settings):
    settings.PAGE_VIEWS_PUSH_SECONDS = 3600
    pageviews.buffer.pushed_at = pageviews.time.monotonic()
    client = Client()
    client.get(page.url, HTTP_USER_AGENT=BROWSER)
    client.get(page.url, HTTP_USER_AGENT=BROWSER)
    assert counted(page) == 0
    assert pageviews.buffer.push() == 2
    assert counted(page) == 2


def test_nothing_about_the_visitor_is_kept(page):
    address, agent = "203.0.113.77", BROWSER + " UniqueMarker/9"
    client = Client()
    client.cookies["sessionid"] = "secret-session-value"
    client.get(page.url, HTTP_USER_AGENT=agent, REMOTE_ADDR=address, HTTP_REFERER="https://example.org/from")
    page_views_flush(page_ids=[page.pk])
    kept = kept_in_cache()
    text = repr(kept) + repr(list(PageView.objects.values()))
    assert "203.0.113" not in text
    assert "UniqueMarker" not in text
    assert "secret-session-value" not in text
    assert "example.org" not in text
    assert [f.name for f in PageView._meta.get_fields()] == ["id", "page", "day", "views"]


def test_the_flush_writes_the_counts_once(page):
    client = Client()
    for _ in range(3):
        client.get(page.url, HTTP_USER_AGENT=BROWSER)
    assert page_views_flush() == 3
    assert page_views_flush() == 0
    row = PageView.objects.get()
    assert row.page_id == page.pk
    assert row.day == timezone.localdate()
    assert row.views == 3


def test_later_views_are_added_to_the_days_row(page):
    client = Client()
    client.get(page.url, HTTP_USER_AGENT=BROWSER)
    page_views_flush()
    client.get(page.url, HTTP_USER_AGENT=BROWSER)
    client.get(page.url, HTTP_USER_AGENT=BROWSER)
    page_views_flush()
    assert PageView.objects.get().views == 3


def test_the_flush_picks_up_yesterdays_counts(page):
    today = date(2026, 3, 4)
    cache.set(counter_key(today - timedelta(days=1), page.pk), 5)
    cache.set(counter_key(today, page.pk), 2)
    assert page_views_flush(page_ids=[page.pk], today=today) == 7
    assert dict(PageView.objects.values_list("day", "views")) == {date(2026, 3, 3): 5, today: 2}


def test_the_scheduler_job_flushes(page):
    from openbeat.scheduler.jobs import flush_page_views

    Client().get(page.url, HTTP_USER_AGENT=BROWSER)
    assert flush_page_views() == "1 page views"
    assert PageView.objects.get().views == 1
