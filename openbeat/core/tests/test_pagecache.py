"""The public page cache: what it keeps, what it never keeps or serves, nonces, and invalidation."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request

import pytest
from django.core.cache import cache
from django.test import Client

from openbeat.core.models import ContentPage, Force
from openbeat.core.pagecache import GENERATION_KEY, PRIVATE_MODELS, PageStore, StoredPage, _private
from openbeat.core.tests import pagecache_urls
from openbeat.core.tests.processes import REPO, app_environment, gunicorn, subprocess_database

pytestmark = pytest.mark.django_db  # the site's context processors read the force and footer pages

NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def views(settings):
    settings.ROOT_URLCONF = "openbeat.core.tests.pagecache_urls"
    pagecache_urls.calls.clear()
    return pagecache_urls.calls


def nonce_of(response) -> str:
    body = NONCE.search(response.content.decode())
    assert body
    assert f"'nonce-{body.group(1)}'" in response["Content-Security-Policy"]
    return body.group(1)


def test_a_cookieless_page_is_rendered_once_and_replayed_with_a_fresh_nonce(client, views):
    first, second, third = (client.get("/plain/") for _ in range(3))
    assert views["plain"] == 1
    assert "X-Page-Cache" not in first
    assert second["X-Page-Cache"] == "hit"
    assert "plain 1" in third.content.decode()
    nonces = {nonce_of(first), nonce_of(second), nonce_of(third)}
    assert len(nonces) == 3  # unique per response, in the body and the header alike
    assert second.content.replace(nonce_of(second).encode(), b"N") == first.content.replace(
        nonce_of(first).encode(), b"N"
    )
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert first[header].replace(nonce_of(first), "N") == second[header].replace(nonce_of(second), "N")


def test_a_request_with_cookies_is_never_answered_from_the_store(client, views):
    client.get("/plain/")
    client.cookies["sessionid"] = "someone"
    response = client.get("/plain/")
    assert "X-Page-Cache" not in response
    assert views["plain"] == 2


def test_a_visitor_with_only_a_csrf_cookie_is_answered_from_the_store(client, views):
    client.get("/plain/")  # kept from a visitor without cookies
    client.cookies["csrftoken"] = "a" * 32
    assert client.get("/plain/")["X-Page-Cache"] == "hit"
    client.cookies["sessionid"] = "someone"
    assert "X-Page-Cache" not in client.get("/plain/")


def test_a_page_for_a_csrf_cookie_is_stored_unless_it_used_the_token(client, views):
    """Residents keep the CSRF cookie for a year after any form: their visits must be able to store pages too, or a
    popular page would be rendered afresh for each of them once its stored copy expired."""
    client.cookies["csrftoken"] = "a" * 32
    client.get("/plain/")
    client.get("/form/")
    client.get("/form/")
    assert views["form"] == 2  # their form (with their token) was not kept
    client.cookies.clear()  # someone else, without cookies
    assert "X-Page-Cache" not in client.get("/form/")
    assert client.get("/plain/")["X-Page-Cache"] == "hit"  # the page that used no token was kept
    assert views["plain"] == 1


def test_a_page_with_a_token_field_is_not_kept_even_without_the_cookie_renewed(client, views, monkeypatch):
    from openbeat.core import pagecache

    client.cookies["csrftoken"] = "a" * 32
    monkeypatch.setattr(pagecache, "_storable", lambda response: True)  # as if the cookie had not been renewed
    client.get("/token-field/")
    client.get("/token-field/")
    assert views["token-field"] == 2


def test_a_response_to_a_request_with_cookies_is_never_stored(views):
    resident = Client()
    resident.cookies["draft"] = "mine"
    resident.get("/plain/")
    Client().get("/plain/")
    assert views["plain"] == 2


@pytest.mark.parametrize("path", ["/form/", "/personal/", "/uncached/", "/limited/", "/missing/", "/json/"])
def test_pages_that_are_personal_counted_or_not_html_are_never_stored(client, views, path):
    for _ in range(3):
        client.cookies.clear()
        client.get(path)
    assert sum(views.values()) == 3


def test_the_back_office_is_never_stored(client, views):
    client.get("/admin/plain/")
    client.get("/admin/plain/")
    assert views["plain"] == 2


def test_other_methods_and_query_strings(client, views):
    client.get("/plain/")
    client.get("/plain/?page=2")
    client.get("/plain/?page=2")
    client.head("/plain/")
    assert views["plain"] == 3


def test_a_change_in_another_process_reaches_this_one(client, views):
    client.get("/plain/")
    cache.set(GENERATION_KEY, "set-by-another-process", None)
    client.get("/plain/")
    assert views["plain"] == 2


def test_pages_expire(client, views, settings):
    client.get("/plain/")
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    client.get("/plain/")
    assert views["plain"] == 2


def test_the_cache_can_be_turned_off(client, views, settings):
    settings.PUBLIC_PAGE_CACHE = False
    client.get("/plain/")
    client.get("/plain/")
    assert views["plain"] == 2


def test_the_store_keeps_the_most_recently_used_pages_only():
    store = PageStore(2)
    page = StoredPage("g", 0.0, b"", (), "")
    for key in ("a", "b"):
        store.put((key,), page)
    assert store.get(("a",)) is page  # a is now the most recent
    store.put(("c",), page)
    assert store.get(("b",)) is None
    assert store.get(("a",)) is page


def test_editing_a_page_shows_at_once(client):
    page = ContentPage.objects.live().first()
    assert page is not None
    url = page.url
    before = client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    page.title = "Freshly edited title"
    page.save_revision().publish()
    after = client.get(url)
    assert "X-Page-Cache" not in after
    assert "Freshly edited title" in after.content.decode()
    assert "Freshly edited title" not in before.content.decode()


def test_a_private_write_leaves_the_store_alone(client):
    from openbeat.audit.services import log_action

    client.get("/")
    log_action("core.test.event", actor=None, target=None, data={})
    assert client.get("/")["X-Page-Cache"] == "hit"


@pytest.mark.django_db(transaction=True)
def test_an_edit_reaches_every_gunicorn_worker_within_seconds(tmp_path):
    """Two worker processes sharing the database cache, as deployed: a change made by a third process (a
    management command) reaches both within PUBLIC_PAGE_CACHE_CHECK_SECONDS."""
    force = Force.current()
    force.name = "Before Police"
    force.save()
    database_url, _ = subprocess_database(tmp_path)
    env = app_environment(tmp_path, database_url, ALLOWED_HOSTS="127.0.0.1", PUBLIC_PAGE_CACHE_CHECK_SECONDS="1")

    def home() -> tuple[str, str]:
        # `gunicorn()` has waited until the site serves; the other worker may still be loading the project, which
        # took over 10 s on a busy machine. What is timed here is the change reaching them, not the render.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
            return response.read().decode(), response.headers.get("X-Page-Cache", "")

    with gunicorn(tmp_path, env, workers=2) as port:
        seen = [home() for _ in range(12)]
        assert all("Before Police" in page for page, _ in seen)
        hits = [hit for _, hit in seen]
        assert hits.count("hit") >= 8, hits  # each worker rendered it once or twice, then replayed it
        rename = "from openbeat.core.models import Force; f = Force.current(); f.name = 'After Police'; f.save()"
        subprocess.run([sys.executable, "manage.py", "shell", "-c", rename], cwd=REPO, env=env, check=True)
        time.sleep(1.1)  # PUBLIC_PAGE_CACHE_CHECK_SECONDS, and a little more
        pages = [home()[0] for _ in range(12)]
        stale = [n for n, page in enumerate(pages) if "After Police" not in page]
        assert not stale, f"requests {stale} still showed the old name"


def test_every_private_entry_names_a_real_app_or_model():
    # A misspelt entry would silently let a busy private table clear every process's pages on each write.
    from django.apps import apps

    known = {m._meta.label for m in apps.get_models()} | {a.label for a in apps.get_app_configs()}
    assert sorted(PRIVATE_MODELS - known) == []


def test_a_sent_email_or_a_new_report_number_leaves_the_store_alone(client):
    from openbeat.core.models import TransactionalMessage
    from openbeat.reports.models import ReferenceCounter

    client.get("/")
    ReferenceCounter.objects.create(year=2099, last=1)
    assert _private(TransactionalMessage)
    assert client.get("/")["X-Page-Cache"] == "hit"
