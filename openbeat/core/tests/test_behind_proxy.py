"""Behind a real reverse proxy (Debian's nginx serving deploy/nginx/openbeat.conf, TLS) and two gunicorn workers:
each client is limited on its own address, a stranger cannot lock out staff, forged headers change nothing,
and a limit holds across every worker process.

Clients are told apart by the loopback address they connect from (127.0.0.2, 127.0.0.3, ...: Linux routes the
whole of 127.0.0.0/8 to the loopback interface); nginx connects to gunicorn from 127.0.0.1, the one trusted proxy.
"""

from __future__ import annotations

import http.client
import re
import ssl
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from openbeat.core.tests.processes import app_environment, gunicorn, nginx, subprocess_database
from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Browser:
    """A client at one address with its own cookies: enough HTTP for a sign-in form."""

    port: int
    address: str
    cookies: dict[str, str] = field(default_factory=dict)
    ca: Path | None = None  # HTTPS, trusting this certificate (the proxy's); None: plain HTTP (gunicorn)

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        conn: http.client.HTTPConnection
        if self.ca is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.address, 0))
        else:
            context = ssl.create_default_context(cafile=str(self.ca))
            conn = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=30, source_address=(self.address, 0), context=context
            )
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            # As a browser does: over HTTPS Django's CSRF check wants the form's origin.
            sent.setdefault("Origin", f"{'http' if self.ca is None else 'https'}://127.0.0.1")
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def sign_in(self, username: str, password: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        _, _, page = self.request("GET", "/admin/login/", headers=headers)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:2000]
        form = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        status, _, text = self.request("POST", "/admin/login/", form, headers=headers)
        return status, text


@pytest.fixture
def hq():
    user = staff_user(roles.HQ_MEDIA, None, username="hq")
    # The tests' fast MD5 hasher is not among the served application's hashers: store a hash it can check.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "proxytestsalt", iterations=1000)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def stack(tmp_path, hq) -> Iterator[dict[str, Any]]:
    """Started once the test's rows exist: on SQLite the processes get a copy of the database as it is then."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # counters left by an earlier test: not this test's business
            cursor.execute("DELETE FROM openbeat_cache")
    database_url, _ = subprocess_database(tmp_path)
    env = app_environment(tmp_path, database_url, TRUSTED_PROXIES="127.0.0.1")
    with gunicorn(tmp_path, env, workers=2) as app_port, nginx(tmp_path, app_port) as proxy:
        yield {"app": app_port, "proxy": proxy.port, "ca": proxy.cert}


LOCKED = "Too many failed sign-in attempts"


def test_a_strangers_guesses_behind_the_proxy_lock_out_only_the_stranger(stack):
    stranger = Browser(stack["proxy"], "127.0.0.2", ca=stack["ca"])
    for _ in range(20):
        stranger.sign_in("hq", "wrong")
    status, page = stranger.sign_in("hq", PASSWORD)
    assert status == 200
    assert LOCKED in page

    # Forged X-Forwarded-For values are appended to by nginx, never believed: still the stranger, still locked.
    for n in range(3):
        status, page = stranger.sign_in("hq", PASSWORD, headers={"X-Forwarded-For": f"192.0.2.{n}"})
        assert status == 200
        assert LOCKED in page

    colleague = Browser(stack["proxy"], "127.0.0.3", ca=stack["ca"])
    status, _ = colleague.sign_in("hq", PASSWORD)
    assert status == 302, "the owner, at their own address, was locked out by a stranger"
    assert colleague.request("GET", "/admin/")[0] == 200


def test_a_client_reaching_gunicorn_directly_cannot_choose_its_address(stack):
    direct = Browser(stack["app"], "127.0.0.4")  # not a trusted proxy: its header is ignored
    for n in range(5):
        direct.sign_in("hq", "wrong", headers={"X-Forwarded-For": f"192.0.2.{n}"})
    status, page = direct.sign_in("hq", PASSWORD, headers={"X-Forwarded-For": "192.0.2.200"})
    assert status == 200
    assert LOCKED in page


def test_a_rate_limit_is_per_client_behind_the_proxy_and_shared_by_every_worker(stack):
    limit = 60  # find-neighbourhood: 60 a minute per address, counted in fixed one-minute windows
    search = "/neighbourhoods/?postcode=ZZ99+9ZZ"  # a look-up (the empty search page is not limited)
    # The 61 requests must be counted in one window. Rather than wait for a new window (up to 30 s), send them at
    # once; if the window turned over meanwhile, send them again from another address: a window has just begun.
    for address in ("127.0.0.5", "127.0.0.7"):
        window = int(time.time() // 60)
        one = Browser(stack["proxy"], address, ca=stack["ca"])
        statuses = [one.request("GET", search)[0] for _ in range(limit + 1)]
        if int(time.time() // 60) == window:
            break
    else:
        pytest.fail("61 requests took over a minute twice: the window turned over")
    # Two workers counting on their own would each allow 60 (and the proxy's address would be everyone's).
    assert statuses[:limit] == [200] * limit
    assert statuses[limit] == 429
    other = Browser(stack["proxy"], "127.0.0.6", ca=stack["ca"])
    assert other.request("GET", search)[0] == 200
