"""The fault tests: a real worker process (`manage.py db_worker`) is killed with SIGKILL while it is handing
an alert to a real SMTP server. Every recipient ends up with the alert and at most the message in flight at
the kill (one per SMTP connection) arrives twice:

- recovered by hand (`outbox_recover --older-than 0`, then a worker run), as an operator would;
- recovered by nobody but the scheduler (`manage.py run_scheduler`) and a fresh worker, as deployed (no
  cron), with the default lease and sweep: the alert has finished within a minute of the kill.

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
from django.utils import timezone

from openbeat.core.tests.processes import app_environment, subprocess_database
from openbeat.delivery.outbox import outbox_fill_for_alert
from openbeat.delivery.tests.pipeline_world import audience, sending_alert, subscribers

REPO = Path(__file__).resolve().parents[3]
MANAGE = [sys.executable, str(REPO / "manage.py")]
RECIPIENTS = 300
# How soon after a kill the alert must have finished, with no one running any command.
RECOVERY_BOUND = 60.0


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


def query(sqlite_path: str | None, sql: str, params: list) -> list[tuple]:
    """Read what the worker wrote: from the file on SQLite, through Django's connection on PostgreSQL."""
    if sqlite_path is None:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall()
    with sqlite3.connect(sqlite_path) as db:
        return db.execute(sql, params).fetchall()


def wait_for(condition, timeout: float, what: str, *, every: float = 0.002) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def process_env(tmp_path: Path, database_url: str, smtp_port: int, connections: int) -> dict[str, str]:
    """The environment of the worker and scheduler processes: the test's database and SMTP server."""
    env = app_environment(
        tmp_path,
        database_url,
        TASKS_BACKEND="db",
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp_port),
        DELIVERY_SMTP_CONNECTIONS=str(connections),
    )
    # The deployed defaults for the lease and the sweep, whatever the test's own environment says.
    env.pop("DELIVERY_LEASE_SECONDS", None)
    env.pop("DELIVERY_SWEEP_SECONDS", None)
    return env


def start(args: list[str], env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen([*MANAGE, *args], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
    database_url, sqlite_path = subprocess_database(tmp_path)

    env = process_env(tmp_path, database_url, counting_smtp.port, connections)
    log = (tmp_path / "worker.log").open("w")
    worker = start(["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"], env, log)
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
        subprocess.run([*MANAGE, "outbox_recover", "--older-than", "0"], cwd=REPO, env=env, check=True)
        subprocess.run(
            [*MANAGE, "db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0"],
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


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_is_recovered_by_the_scheduler_alone_and_the_alert_finishes_within_a_minute(
    settings, tmp_path, counting_smtp, record_property
):
    """As deployed: a worker, the scheduler beside it, no cron. The worker is killed mid-send and a fresh one
    started (what a supervisor does); nobody runs a command. Its lease expires, the scheduler's sweep returns
    its rows and queues the batch again, the fresh worker sends the rest, and the task result the dead
    worker left running is closed as failed."""
    connections = 3
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    counting_smtp.delay = 0.01  # ~1 s for the whole alert over 3 connections: the kill lands mid-send
    people = subscribers(None, RECIPIENTS)
    alert = sending_alert(sending_at=timezone.now())  # dispatched just now, as alert_dispatch leaves it
    with transaction.atomic():
        outbox_fill_for_alert(alert=alert, audience=audience(email=people))
    database_url, sqlite_path = subprocess_database(tmp_path)
    env = process_env(tmp_path, database_url, counting_smtp.port, connections)
    log_path = tmp_path / "processes.log"
    log = log_path.open("w")

    def alert_state() -> str:
        return query(sqlite_path, "SELECT state FROM alerts_alert WHERE id = ?", [alert.pk])[0][0]

    scheduler = start(["run_scheduler"], env, log)
    worker = start(["db_worker", "--no-reload", "--no-startup-delay"], env, log)
    fresh = None
    try:
        wait_for(lambda: counting_smtp.total >= RECIPIENTS // 4 or worker.poll() is not None, 90, "sending to start")
        assert worker.poll() is None, log_path.read_text()
        os.kill(worker.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        worker.wait(10)
        at_kill = counting_smtp.total
        assert at_kill < RECIPIENTS, "the worker finished before it was killed: nothing was tested"
        fresh = start(["db_worker", "--no-reload", "--no-startup-delay"], env, log)

        wait_for(lambda: alert_state() == "sent", 3 * RECOVERY_BOUND, "the alert to finish", every=0.1)
        finished = time.monotonic() - killed_at
        record_property("seconds_from_kill_to_sent", round(finished, 1))
        print(f"\n{connection.vendor}: killed after {at_kill} messages; alert sent {finished:.1f} s after the kill")
        assert scheduler.poll() is None, log_path.read_text()
    finally:
        for process in (worker, fresh, scheduler):
            if process is not None:
                stop(process)
        log.close()
    assert finished < RECOVERY_BOUND, f"the alert finished {finished:.1f} s after the kill"

    rows = dict(query(sqlite_path, "SELECT state, COUNT(*) FROM delivery_delivery GROUP BY state", []))
    assert rows == {"delivered": RECIPIENTS}
    received = counting_smtp.received
    assert set(received) == {p.email for p in people}, "a recipient was lost"
    repeated = [address for address, n in received.items() if n > 1]
    assert all(received[address] == 2 for address in repeated)
    assert len(repeated) <= connections, f"{len(repeated)} recipients got the alert twice"

    results = query(
        sqlite_path,
        "SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult WHERE task_path = ?",
        ["openbeat.delivery.tasks.deliveries_send"],
    )
    assert sorted(results) == [
        ("FAILED", "openbeat.delivery.outbox.WorkerLost"),  # the killed worker's, closed by the sweep
        ("SUCCESSFUL", ""),  # the batch queued again, run by the fresh worker
    ]
    assert query(sqlite_path, "SELECT COUNT(*) FROM delivery_batchlease", [])[0][0] == 0
