"""The issue's fault test: a real worker process (`manage.py db_worker`) is killed with SIGKILL while it is
handing an alert to a real SMTP server; after `outbox_recover` and a restart, every recipient has the alert
and at most the message in flight at the kill (one per SMTP connection) arrived twice.

The worker is a separate process, so it needs a database it can open: on PostgreSQL the test database
itself; on SQLite (whose test database is in memory) a copy of it in a file, made once the data is in it.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from openbeat.delivery.outbox import outbox_fill_for_alert
from openbeat.delivery.tests.pipeline_world import audience, sending_alert, subscribers

REPO = Path(__file__).resolve().parents[3]
RECIPIENTS = 300


class CountingSmtp:
    """Counts each recipient's messages; a few milliseconds per message so that a kill lands mid-batch."""

    def __init__(self, delay: float = 0.005) -> None:
        self.delay = delay
        self.received: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received[rcpt] += 1
        return "250 Message accepted for delivery"


@pytest.fixture
def counting_smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = CountingSmtp()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        controller.stop()


def worker_database(tmp_path: Path) -> tuple[str, str | None]:
    """A DATABASE_URL the worker can open, and the SQLite file (None on PostgreSQL)."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}", None
    path = tmp_path / "worker.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    with target:
        connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}", str(path)


def query(sqlite_path: str | None, sql: str, params: list) -> list[tuple]:
    """Read what the worker wrote: from the file on SQLite, through Django's connection on PostgreSQL."""
    if sqlite_path is None:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall()
    with sqlite3.connect(sqlite_path) as db:
        return db.execute(sql, params).fetchall()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.002)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("connections", [1, 3])
def test_a_worker_killed_mid_send_finishes_on_restart_and_repeats_at_most_the_message_in_flight(
    settings, tmp_path, counting_smtp, connections
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    people = subscribers(None, RECIPIENTS)
    alert = sending_alert()
    with transaction.atomic():  # batches are queued (in the database backend) when this commits
        outbox_fill_for_alert(alert=alert, audience=audience(email=people))
    database_url, sqlite_path = worker_database(tmp_path)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openbeat.settings",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",
        "OPENBEAT_VAR_DIR": str(tmp_path),
        "TASKS_BACKEND": "db",
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(counting_smtp.port),
        "DELIVERY_SMTP_CONNECTIONS": str(connections),
        "DEBUG": "false",
    }
    manage = [sys.executable, str(REPO / "manage.py")]
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [*manage, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: counting_smtp.total >= RECIPIENTS // 4 or worker.poll() is not None, 90, "sending to start")
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    at_kill = counting_smtp.total
    assert at_kill < RECIPIENTS, "the worker finished before it was killed: nothing was tested"
    stranded = query(sqlite_path, "SELECT COUNT(*) FROM delivery_delivery WHERE state = ?", ["sending"])[0][0]
    assert stranded > 0  # claimed by the dead worker, not sent: what recovery is for

    for _ in range(3):
        subprocess.run([*manage, "outbox_recover", "--older-than", "0"], cwd=REPO, env=env, check=True)
        subprocess.run(
            [*manage, "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0"],
            cwd=REPO,
            env=env,
            check=True,
            timeout=120,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        (state,) = query(sqlite_path, "SELECT state FROM alerts_alert WHERE id = ?", [alert.pk])[0]
        if state == "sent":
            break
    assert state == "sent"
    rows = dict(query(sqlite_path, "SELECT state, COUNT(*) FROM delivery_delivery GROUP BY state", []))
    assert rows == {"delivered": RECIPIENTS}

    received = counting_smtp.received
    assert set(received) == {p.email for p in people}, "a recipient was lost"
    repeated = [address for address, n in received.items() if n > 1]
    assert all(received[address] == 2 for address in repeated)
    assert len(repeated) <= connections, f"{len(repeated)} recipients got the alert twice"
