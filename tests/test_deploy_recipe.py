"""The production recipe (deploy/) run for real on 127.0.0.1, and a resident's and an officer's day through it.

Debian's nginx serves deploy/nginx/openbeat.conf itself (TLS with a self-signed certificate, the port-80
redirect, the request limit, the forwarded headers, /media/), in front of gunicorn started with
deploy/systemd/openbeat-web.service's own command line; a task worker and the scheduler run as their units
start them; mail goes to a real local SMTP server. The environment is a production one (HTTPS=on, so
PRODUCTION, secure cookies, HSTS and required staff 2FA). Then, through nginx with a real HTTP client:

- a resident signs up to In the Know and confirms by the link the worker emailed;
- an officer signs in (the password step over HTTP; the alert itself is written, submitted and approved
  through the alert services in a `manage.py shell` against the stack's database, because the back office
  asks for a TOTP second factor first); the scheduler-free path queues it, the worker delivers it by SMTP;
- a resident reports an incident with a photo and gets a reference; the photo is on disk and no URL reaches it;
- a body over the limit gets nginx's 413; /static/ is served; the client's address is the one nginx saw.

On SQLite the processes share a copy of the test database in a file; on PostgreSQL the test database itself.
Workers use the database task backend on both (REDIS_URL, when set, only holds the cache).
"""

from __future__ import annotations

import contextlib
import http.client
import re
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from openbeat.areas.tests.factories import DivisionFactory, NeighbourhoodFactory, PostcodeFactory, square
from openbeat.core.tests.processes import (
    REPO,
    Proxy,
    app_environment,
    free_port,
    nginx,
    recipe_gunicorn,
    running,
    subprocess_database,
    unit_command,
)
from openbeat.core.tests.test_behind_proxy import Browser
from openbeat.reports.tests.test_journey import build_type
from openbeat.staff import roles
from openbeat.staff.tests.factories import PASSWORD, staff_user
from openbeat.subscriptions.models import Interest

pytestmark = pytest.mark.django_db(transaction=True)

RESIDENT = "resident@example.com"
REPORTER = "reporter@example.com"
# What the worker and the scheduler log once they are running.
WORKER, SCHEDULER = "Starting worker", "Scheduler "
# The neighbourhood finder: a GET form, so the postcode typed is in the query string.
FINDER = "/neighbourhoods/"
LOGS = ("nginx-access.log", "gunicorn.log", "worker.log", "scheduler.log")
PHOTO = REPO / "openbeat" / "reports" / "tests" / "files" / "photo.png"


@dataclass
class Stack:
    proxy: Proxy
    env: dict[str, str]
    var: Path
    sqlite: str | None
    smtp: Any
    neighbourhood_id: int

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.proxy.port}"

    def query(self, sql: str, params: list[Any]) -> list[tuple]:
        """Read what the processes wrote: from the SQLite file, or through Django's connection on PostgreSQL."""
        if self.sqlite is None:
            with connection.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), params)
                return cursor.fetchall()
        with sqlite3.connect(self.sqlite) as db:
            return db.execute(sql, params).fetchall()


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
    return found


@pytest.fixture
def stack(tmp_path, smtp_server) -> Iterator[Stack]:
    """The force's rows, then the recipe's processes (on SQLite they get the database as it is then)."""
    division = DivisionFactory(name="West", code="west")
    home = NeighbourhoodFactory(code="W01", name="Ashbridge", division=division, boundary=square(-2.0, 54.0))
    PostcodeFactory(postcode="DM1 1AA", neighbourhood=home)
    # Transactional tests before this one may have emptied the seeded interests.
    Interest.objects.get_or_create(slug="crime-alerts", defaults={"name": "Crime alerts and appeals", "bit": 0})
    build_type()  # "Report an incident" at /report/disturbance/, taking evidence
    officer = staff_user(roles.HQ_MEDIA, None, username="hq")
    # The tests' fast MD5 hasher is not among the served application's hashers: store a hash it can check.
    officer.password = PBKDF2PasswordHasher().encode(PASSWORD, "recipetestsalt", iterations=1000)
    officer.save(update_fields=["password"])
    staff_user(roles.HQ_MEDIA, None, username="hq2")  # approves, if the alert needs approval
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # counters left by an earlier test: not this test's business
            cursor.execute("DELETE FROM openbeat_cache")

    database_url, sqlite_path = subprocess_database(tmp_path)
    port = free_port()
    env = app_environment(
        tmp_path,
        database_url,
        HTTPS="on",
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{port}",
        BASE_URL=f"https://127.0.0.1:{port}",
        TRUSTED_PROXIES="127.0.0.1",
        PROXY_CLIENT_HEADER="X-Forwarded-For",
        TASKS_BACKEND="db",
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_server.port),
        CLAMD_SOCKET="",
        CLAMD_HOST="",
    )
    with (
        recipe_gunicorn(tmp_path, env) as app_port,
        nginx(tmp_path, app_port, port=port) as proxy,
        running(unit_command("openbeat-worker@.service"), env=env, log=tmp_path / "worker.log", ready=WORKER),
        running(unit_command("openbeat-scheduler.service"), env=env, log=tmp_path / "scheduler.log", ready=SCHEDULER),
    ):
        yield Stack(proxy, env, tmp_path, sqlite_path, smtp_server, home.pk)


def browser(stack: Stack) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE, when set, overrides the verify below
    session.verify = str(stack.proxy.cert)
    session.headers["Origin"] = stack.base  # as a browser sends with a form
    return session


def send_form(session: requests.Session, base: str, path: str, data: dict[str, Any], **kwargs: Any):
    """Open the form's page, then send it with its CSRF token, as a browser does; the response unfollowed."""
    page = session.get(base + path, allow_redirects=False)
    assert page.status_code == 200, (path, page.status_code, page.headers.get("Location"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:2000]
    return session.post(
        base + path, data={"csrfmiddlewaretoken": token.group(1), **data}, allow_redirects=False, **kwargs
    )


def mail_to(stack: Stack, address: str) -> list:
    return [m for m in stack.smtp.messages if address in str(m["To"])]


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_sign_up_an_alert_and_a_report_through_the_recipes_stack(stack):
    base = stack.base

    # HTTP is sent to HTTPS; OpenBeat sets HSTS, once (nginx leaves it to OpenBeat).
    redirect = requests.get(f"http://127.0.0.1:{stack.proxy.http_port}/in-the-know/", allow_redirects=False, timeout=30)
    assert redirect.status_code == 301
    assert redirect.headers["Location"] == "https://127.0.0.1/in-the-know/"
    resident = browser(stack)
    start = resident.get(base + "/in-the-know/")
    assert start.status_code == 200
    assert start.raw.headers.getlist("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]

    # 1. A resident signs up and confirms by the emailed link (sent by the worker, through SMTP).
    for path, data in [
        ("postcode/", {"postcode": "DM1 1AA"}),
        ("your-neighbourhood/", {}),
        ("other-areas/", {"action": "continue"}),
        ("interests/", {"topics": ["crime-alerts"]}),
        ("contact/", {"email": RESIDENT, "email_when": "both", "email_min_priority": "0", "sms": "no"}),
        ("language/", {"language": "en"}),
        ("about-you/", {}),
    ]:
        response = send_form(resident, base, "/in-the-know/" + path, data)
        assert response.status_code == 302, (path, response.text[:3000])
    response = send_form(resident, base, "/in-the-know/check-your-answers/", {})
    assert response.headers["Location"] == "/in-the-know/check-your-email/"
    confirmation = wait_for(lambda: mail_to(stack, RESIDENT), 120, "the confirmation email")[0]
    link = re.search(rf"{re.escape(base)}(/in-the-know/confirm/\S+/)", body_of(confirmation))
    assert link, body_of(confirmation)
    confirmed = send_form(resident, base, link.group(1), {})
    assert confirmed.headers["Location"] == "/in-the-know/confirmed/"
    assert stack.query("SELECT status FROM subscriptions_subscriber WHERE email = ?", [RESIDENT]) == [("active",)]

    # 2. An officer signs in from their own address: a forged X-Forwarded-For is appended to by nginx and
    # never believed, so the sign-in is recorded at the address nginx saw. The password leads to 2FA setup.
    officer = Browser(stack.proxy.port, "127.0.0.7", ca=stack.proxy.cert)
    status, _ = officer.sign_in("hq", PASSWORD, headers={"X-Forwarded-For": "192.0.2.1"})
    assert status == 302
    assert stack.query("SELECT ip FROM audit_auditentry WHERE action = 'staff.login.success'", []) == [("127.0.0.7",)]

    # The alert, written, submitted and approved by the services (the back office wants the second factor).
    code = f"""
from django.contrib.auth import get_user_model
from openbeat.alerts.services import alert_approve, alert_create, alert_submit
from openbeat.subscriptions.models import Interest
users = get_user_model().objects
alert = alert_create(author=users.get(username="hq"), title="Burglaries on Mill Lane",
    body="Two homes were broken into overnight. Lock your doors.",
    interest=Interest.objects.get(slug="crime-alerts"), priority=1,
    targeting={{"areas": {{"neighbourhoods": [{stack.neighbourhood_id}]}}}})
alert = alert_submit(alert=alert, actor=users.get(username="hq"))
if alert.state == "awaiting_approval":
    alert = alert_approve(alert=alert, approver=users.get(username="hq2"))
print(alert.state)
"""
    shell = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=REPO,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shell.returncode == 0, shell.stderr[-3000:]
    assert shell.stdout.strip().endswith("approved"), shell.stdout
    alert = wait_for(
        lambda: [m for m in mail_to(stack, RESIDENT) if "Burglaries on Mill Lane" in str(m["Subject"])],
        120,
        "the alert email",
    )[0]
    assert "Two homes were broken into overnight" in body_of(alert)
    wait_for(
        lambda: stack.query("SELECT state FROM alerts_alert", []) == [("sent",)], 120, "the alert to be marked sent"
    )

    # 3. A resident reports an incident with a photo and gets a reference.
    reporter = browser(stack)
    journey = "/report/disturbance/"
    assert reporter.get(base + journey).status_code == 200
    for path, data in [
        ("questions/1/", {"what": "asb"}),
        ("questions/3/", {"details": "Bins set on fire", "when_day": "5", "when_month": "1", "when_year": "2026"}),
        ("location/", {"postcode": "DM1 1AA"}),
    ]:
        response = send_form(reporter, base, journey + path, data)
        assert response.status_code == 302, (path, response.text[:3000])
    uploaded = send_form(
        reporter,
        base,
        journey + "evidence/",
        {"action": "upload"},
        files={"file": ("bins.png", PHOTO.read_bytes(), "image/png")},
    )
    assert uploaded.status_code == 302, uploaded.text[:3000]
    assert send_form(reporter, base, journey + "evidence/", {"action": "continue"}).status_code == 302
    about = {"name": "Ann Smith", "email": REPORTER, "phone": ""}
    assert send_form(reporter, base, journey + "about-you/", about).status_code == 302
    sent = send_form(reporter, base, journey + "check-your-answers/", {})
    assert sent.headers["Location"] == journey + "sent/"
    [(reference, report_id)] = stack.query("SELECT reference, id FROM reports_report", [])
    wait_for(lambda: any(reference in body_of(m) for m in mail_to(stack, REPORTER)), 120, "the reference email")

    # The photo is kept privately, and nothing under nginx reaches it.
    [(stored,)] = stack.query("SELECT path FROM reports_evidence WHERE report_id = ?", [report_id])
    on_disk = stack.var / "private" / "evidence" / stored
    assert on_disk.read_bytes() == PHOTO.read_bytes()
    for path in [
        f"/media/{stored}",
        f"/media/evidence/{stored}",
        f"/media/../private/evidence/{stored}",
        f"/media/images/../../private/evidence/{stored}",
        f"/private/evidence/{stored}",
        f"/static/../private/evidence/{stored}",
        f"/evidence/{stored}",
    ]:
        response = requests.get(base + path, verify=str(stack.proxy.cert), allow_redirects=False, timeout=30)
        assert response.status_code in (400, 404), (path, response.status_code)
        assert PHOTO.read_bytes()[:64] not in response.content

    # Public images under /media/images/ are served by nginx itself.
    (stack.var / "media" / "images").mkdir(parents=True)
    (stack.var / "media" / "images" / "lead.png").write_bytes(PHOTO.read_bytes())
    image = requests.get(base + "/media/images/lead.png", verify=str(stack.proxy.cert), timeout=30)
    assert image.status_code == 200
    assert image.content == PHOTO.read_bytes()
    assert image.headers["Server"].startswith("nginx")

    # 4. A body over client_max_body_size (= REQUEST_MAX_BYTES, 21 MB) is refused by nginx before it is read.
    assert413(stack, journey + "evidence/", 22 * 1024 * 1024)

    # 5. Static files are served (by whitenoise, through nginx), compressed where the client accepts it.
    css = requests.get(base + "/static/core/openbeat.css", verify=str(stack.proxy.cert), timeout=30)
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.headers.get("Content-Encoding") in ("gzip", "br")

    # 6. The logs name no resident: a finder's postcode arrives in the query string, and the access logs of
    # nginx and gunicorn keep the path only; the application's own lines (the worker sent both residents mail)
    # hold no address. nginx's request id reaches OpenBeat, its response and both access logs.
    found = resident.get(base + FINDER + "?postcode=DM1+1AA")
    assert found.status_code in (200, 302)
    request_id = found.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    # gunicorn writes its access line after the response has gone, so the client can get here first.
    for access_log in ("nginx-access.log", "gunicorn.log"):
        wait_for(lambda log=access_log: request_id in (stack.var / log).read_text(), 30, f"the id in {access_log}")
    logs = {name: (stack.var / name).read_text() for name in LOGS}
    for name, text in logs.items():
        assert FINDER in text or name not in ("nginx-access.log", "gunicorn.log"), name
        for personal in ("DM1", "dm1", RESIDENT, REPORTER, "Ann Smith"):
            assert personal not in text, (name, personal)


def assert413(stack: Stack, path: str, size: int) -> None:
    context = ssl.create_default_context(cafile=str(stack.proxy.cert))
    conn = http.client.HTTPSConnection("127.0.0.1", stack.proxy.port, timeout=30, context=context)
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    with contextlib.suppress(TimeoutError, BrokenPipeError, ConnectionResetError):
        conn.send(b"x" * 65536)  # nginx answers on the declared length, before the body
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 413
    assert response.getheader("Server", "").startswith("nginx")
    assert b"413 Request Entity Too Large" in body
