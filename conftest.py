"""Fixtures shared by every app's tests."""

import os

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# The fuzz tests draw the same examples every run, so CI never fails on a new random example one run in a
# hundred and any failure is reproducible by rerunning; `HYPOTHESIS_PROFILE=explore` draws fresh random ones
# each run when someone goes looking.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO_ROOT = Path(__file__).resolve().parent
SHARED_DATA = Path(os.environ.get("OPENBEAT_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings
    from django.test import override_settings

    # Enabled (not assigned) so that Django's setting_changed handlers reset the cached storages.
    override_settings(
        # Hashing passwords at full strength only slows the suite; login behaviour is the same.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        # Tests serve static files from the apps (no collectstatic), so no manifest of hashed names.
        # Tasks run inline unless a test picks a real backend (see core/tests/test_tasks.py); with
        # django_capture_on_commit_callbacks(execute=True) a test sees a queued email actually sent.
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}},
        SMS_BACKEND="locmem",
        # Public pages are cached in tests too; each request looks for a change (no second's delay).
        PUBLIC_PAGE_CACHE_CHECK_SECONDS=0,
        # One test process: its own memory stands in for the database cache (whose table every test's database
        # would otherwise have to hold before the autouse cache.clear() below). Redis, when set, stays.
        CACHES=(
            {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
            if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]
            else settings.CACHES
        ),
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data beside the checkout; tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (../shared/data beside the checkout)")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The cache (Redis when REDIS_URL is set) outlives each test's database: start every test empty."""
    from django.core.cache import cache

    from openbeat.core.pagecache import generation
    from openbeat.opendata.ratelimit import forget_leases

    cache.clear()
    forget_leases()  # the API's rate-limit tokens this process leased from the cache just emptied
    # A database rolled back between tests sends no signal: no page stored in an earlier test is served.
    generation.change()


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The forms' rate limits count in fixed windows of the clock (a minute, an hour): a test that makes the
    limit's worth of requests must not see its count start again because a window ended halfway through, as the
    API's limit once did in CI on a slow run. Tests of the windows themselves move this clock on."""
    from openbeat.core import ratelimit

    # An hour's start, so every period's window (a minute, ten, an hour) starts at this instant.
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_000_000_800.5)


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(request) -> Iterator[None]:
    """Every test fails when a log record it caused holds an email address, a phone number or a postcode
    (openbeat/core/tests/log_guard.py); `@pytest.mark.personal_data_in_logs` marks the tests that do so on purpose."""
    import logging

    from openbeat.core.tests.log_guard import PersonalDataCatcher

    catcher = PersonalDataCatcher()
    root = logging.getLogger()
    root.addHandler(catcher)
    try:
        yield
    finally:
        root.removeHandler(catcher)
    if catcher.caught and not request.node.get_closest_marker("personal_data_in_logs"):
        pytest.fail("personal data reached the logs:\n" + "\n".join(catcher.caught), pytrace=False)


@pytest.fixture(autouse=True)
def _fresh_sms_outbox() -> None:
    from openbeat.core import sms

    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _fresh_boundary_index() -> None:
    """Every test's database starts over, so no process-wide spatial index (areas.geo) may outlive a test."""
    from openbeat.areas import geo

    geo.invalidate()


@pytest.fixture(autouse=True)
def _seeded_rows_after_a_flush(request) -> None:
    """A transactional test empties every table when it ends, the rows the migrations seeded too.

    Tests that run after it (and it) would then see no interests, concerns, crime categories or Wagtail root
    collection, depending on the order the suite ran in: put back what the migrations seed, as a fresh database
    has it.
    """
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" not in request.fixturenames and not (marker and marker.kwargs.get("transaction")):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("transactional_db")
    importlib.import_module("openbeat.subscriptions.migrations.0002_seed_interests").seed(apps, None)
    importlib.import_module("openbeat.concerns.migrations.0002_seed_concerns").seed(apps, None)
    importlib.import_module("openbeat.crime.migrations.0002_seed_categories").seed(apps, None)
    from wagtail.models import Collection

    # Wagtail's migrations make the root collection every image and document belongs to.
    if not Collection.objects.exists():
        Collection.add_root(name="Root")


def missing_browser_message(chromium: str) -> str | None:
    """Why browser tests cannot run here, with the command that mends it; None when they can."""
    if Path(chromium).exists():
        return None
    return (
        f"Debian's chromium is not installed at {chromium}, and the browser tests need it.\n"
        "Install it with:  sudo scripts/system-packages.sh   "
        "(or: sudo apt-get install --no-install-recommends chromium)\n"
        "`make test` runs that script first; the suite never passes by skipping the browser tests."
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # pytest-django puts database tests first and transactional ones (browser tests among them) after, as Django
    # does: a transactional test empties the database when it ends (the rows the migrations seed, Wagtail's root
    # page and collection), so nothing may run after it that needs them. pytest's own reordering runs after
    # pytest-django's (it groups the tests of each browser parameter together) and pulls browser tests forward:
    # sort again, stably, last. With `--dist load` (scripts/test.sh) each xdist worker then runs its tests in
    # this order too.
    from pytest_django.plugin import pytest_collection_modifyitems as django_order

    django_order(items)
    # A skip count was the only sign that every browser test had been left out on a fresh machine: stop the
    # run instead, before any test, when browser tests are selected and chromium is absent.
    if not any(item.get_closest_marker("browser") for item in items):
        return
    message = missing_browser_message(CHROMIUM)
    if message:
        pytest.exit(message, returncode=3)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, made safe for the in-memory SQLite test database.

    Requested after `django_db_setup`, so the server is built once the test database exists: built before it
    (as happened when a browser test was the first to ask), the server saw a file name, not an in-memory
    database, and each of its threads opened its own connection to the shared-cache database. Two requests at
    once (a page the browser left still rendering, and the next one) then failed with "database table is
    locked", which never waits, and a freshly signed-in staff session was lost now and then.

    With the test database in place the server threads share the test's one connection, as Django intends,
    but Django's transaction state on a connection is not thread-safe, so requests are taken one at a time.
    On PostgreSQL each thread has its own connection and requests stay concurrent.
    """
    import threading

    if live_server.thread.connections_override:
        httpd = live_server.thread.httpd
        app = httpd.get_app()
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                result = app(environ, start_response)
                try:
                    body = b"".join(result)
                finally:
                    # close() sends request_finished, which must run inside the lock too.
                    if hasattr(result, "close"):
                        result.close()
            return [body]

        httpd.set_app(one_at_a_time)
    return live_server


class CapturedMail:
    """What a real local SMTP server (aiosmtpd) received: envelopes and parsed messages."""

    def __init__(self) -> None:
        import threading

        self.envelopes: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list:
        import email
        from email import policy

        with self.lock:
            return [email.message_from_bytes(e.content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port, with Django's default mailer pointed at it.

    The test runner swaps every mailer for the in-memory one; this puts a real SMTP mailer back.
    """
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = CapturedMail()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    handler.port = port
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def assert_accessible():
    """Run axe-core (shipped with axe-playwright-python, no CDN) on a page and fail listing any violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, label: str = "") -> None:
        results = axe.run(page)
        violations = results.response["violations"]
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}" for v in violations
        ]
        assert not violations, f"axe violations on {label or page.url}:\n" + "\n".join(summary)

    return check


@pytest.fixture
def console_errors(page):
    """Console errors and CSP violations seen by the page, collected for the test to assert on."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture
def west():
    from openbeat.areas.tests.factories import DivisionFactory

    return DivisionFactory(name="West", code="west")


@pytest.fixture
def east():
    from openbeat.areas.tests.factories import DivisionFactory

    return DivisionFactory(name="East", code="east")


@pytest.fixture
def refused():
    """Whether a back-office response refused the request: Wagtail answers a permission failure with 403, or
    by sending the user to the dashboard (with a message) or to the login page."""

    def check(response) -> bool:
        if response.status_code == 403:
            return True
        return response.status_code == 302 and response["Location"].split("?")[0] in ("/admin/", "/admin/login/")

    return check
