#!/usr/bin/env python
"""Delivery fan-out at scale: the outbox and the hand-off, each beside a bare baseline in the same run.

Builds the demo force and N generated subscribers (as benchmarks/audience.py does) in a throwaway SQLite
database, or in PostgreSQL with --database-url (emptied!). Then:

  1. persisting one delivery per recipient for a 1,000,000-recipient alert with `outbox_fill_for_alert`
     (target: < 10 s on SQLite and PostgreSQL), beside a bare executemany INSERT (SQLite) / COPY
     (PostgreSQL) of the same rows built beforehand in Python;
  2. email hand-off to a local aiosmtpd sink that discards (in its own process): `batch_send` per batch of
     1,000 (claim, subscriber rules, the project's message building, SmtpTransport, one UPDATE and commit
     per group of outcomes reported together)
     beside a bare smtplib loop sending pre-built messages over the same number of connections (target:
     ratio >= 0.7);
  3. a 100,000-recipient alert handed off end to end through the real worker (`manage.py db_worker`
     processes), from the queued batches to the alert marked sent, beside the bare loop's rate.

CPU placement in part 2 (--placement). The sink stands in for a mail server, which in production runs on
another machine; here it shares the machine's two cores with the code being measured. Left to the scheduler
("shared"), the project's process, its database server and the sink preempt one another (the sink was
switched out about 1.5 times per message), which the bare loop, one process with nothing else to schedule,
never suffers. "split" gives the sink CPU 0 and puts the senders (this process's threads, project and bare
alike) and the database server's backend on the other CPUs, so the sink behaves as a remote server would
and both sides get the same CPUs. The default, "both", measures and prints the two.

    .venv/bin/python benchmarks/fanout.py [--subscribers 1000000] [--handoff 20000] [--end-to-end 100000]
        [--connections 8] [--workers 1] [--database-url postgres://...] [--keep DIR] [--placement both]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audience import REPO, generate, setup_django


def _sink(port: int, ready: Any) -> None:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Discard:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    controller = Controller(Discard(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    threading.Event().wait()


def start_sink() -> tuple[multiprocessing.Process, int]:
    """A discarding SMTP server in its own process, so it does not share the senders' interpreter."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ready = multiprocessing.Event()
    process = multiprocessing.Process(target=_sink, args=(port, ready), daemon=True)
    process.start()
    ready.wait(30)
    return process, port


def fresh_alert(priority: int = 2):
    from openbeat.alerts.models import Alert
    from openbeat.subscriptions.models import Interest

    return Alert.objects.create(
        title="Burglaries on Mill Lane",
        body="Two homes were broken into overnight. **Lock your doors** and report anything suspicious.",
        # get_or_create: flushing a PostgreSQL database for a rerun also removes the interests seeded by migrate.
        interest=Interest.objects.get_or_create(
            slug="crime-alerts", defaults={"name": "Crime alerts and appeals", "kind": "topic", "bit": 0}
        )[0],
        priority=priority,
        state=Alert.State.SENDING,
    )


def clear_deliveries() -> None:
    from django.db import connection

    from openbeat.delivery.models import Delivery

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {Delivery._meta.db_table} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {Delivery._meta.db_table}")  # noqa: S608


def bench_persist(ids, repeat: int) -> None:
    import numpy as np
    from django.db import connection, transaction
    from django.utils import timezone

    from openbeat.alerts.audience import Audience
    from openbeat.areas.models import Neighbourhood
    from openbeat.delivery.models import Delivery
    from openbeat.delivery.outbox import outbox_fill_for_alert
    from openbeat.subscriptions.models import Subscriber

    empty = np.array([], dtype=np.int64)
    fills, queues = [], []
    for _ in range(repeat):
        clear_deliveries()
        alert = fresh_alert()
        start = time.perf_counter()
        with transaction.atomic():
            outbox_fill_for_alert(alert=alert, audience=Audience(email=ids, sms=empty))
            filled = time.perf_counter()
            # Batches are queued on commit; here into a backend that only records them.
        queued = time.perf_counter()
        # Persisted means committed: the commit is where PostgreSQL checks deferred constraints.
        fills.append(queued - start)
        queues.append(queued - filled)
    count = Delivery.objects.count()

    # Baseline: the same rows, built in Python beforehand, inserted as plainly as the database allows.
    division_of = dict(Neighbourhood.objects.values_list("pk", "division_id"))
    homes = dict(Subscriber.objects.values_list("pk", "home_neighbourhood_id").iterator(chunk_size=100_000))
    table = Delivery._meta.db_table
    # The columns the fill writes (a row's token comes later, when its batch claims it).
    columns = (
        "alert_id, subscriber_id, channel, state, division_id, language, attempts, last_error, "
        "failure_reason, provider_id, created_at"
    )
    bare = []
    for _ in range(repeat):
        clear_deliveries()
        alert = fresh_alert()
        now = timezone.now()
        rows = [
            (alert.pk, i, "email", "created", division_of.get(homes.get(i)), "en", 0, "", "", "", now)
            for i in ids.tolist()
        ]
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                created_at = connection.ops.adapt_datetimefield_value(now)
                rows_sqlite = [(*row[:10], created_at) for row in rows]
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 11)})",  # noqa: S608
                    rows_sqlite,
                )
        bare.append(time.perf_counter() - start)
    clear_deliveries()
    fill, base = min(fills), min(bare)
    print(
        f"  1. persist {count:,} deliveries: outbox_fill_for_alert and commit {fill:.2f} s (of which the commit, "
        f"with {len(ids) // 1000} batch tasks queued on it, {min(queues):.2f} s) | bare "
        f"{'COPY' if connection.vendor == 'postgresql' else 'executemany INSERT'} of the same rows {base:.2f} s"
        f" | ratio bare/project {base / fill:.2f} | target < 10 s: {'met' if fill < 10 else 'MISSED'}",
        flush=True,
    )


def _database_backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None  # SQLite runs in this process
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@contextlib.contextmanager
def placed(placement: str, sink_pid: int):
    """Run the block with the sink on CPU 0 and this process and its database backend on the rest ("split"),
    or wherever the scheduler puts them ("shared")."""
    everything = os.sched_getaffinity(0)
    if placement == "shared" or len(everything) < 2:
        yield "shared"
        return
    sink_cpus, rest = {min(everything)}, everything - {min(everything)}
    backend = _database_backend_pid()
    # Affinity is per thread: every thread of the sink (its event loop runs in one of its own), this thread
    # (the senders' threads start later and inherit it) and the database backend (one thread).
    sink_threads = [int(tid) for tid in os.listdir(f"/proc/{sink_pid}/task")]
    moved = [(tid, sink_cpus) for tid in sink_threads] + [(0, rest)] + ([(backend, rest)] if backend else [])

    def restore() -> None:
        for pid, _ in moved:
            with contextlib.suppress(OSError):
                os.sched_setaffinity(pid, everything)

    try:
        for pid, cpus in moved:
            os.sched_setaffinity(pid, cpus)
    except PermissionError:
        restore()
        yield "shared (not allowed to move the database server's process)"
        return
    try:
        yield f"split: the sink on CPU {min(sink_cpus)}, the senders and the database on {sorted(rest)}"
    finally:
        restore()


def bare_loop(messages: list[tuple[str, bytes]], port: int, sender: str, connections: int) -> None:
    """smtplib's sendmail in a loop per connection (a thread each), nothing else."""

    def loop(share: list[tuple[str, bytes]]) -> None:
        smtp = smtplib.SMTP("127.0.0.1", port)
        for to, payload in share:
            smtp.sendmail(sender, [to], payload)
        smtp.quit()

    threads = [threading.Thread(target=loop, args=(messages[k::connections],)) for k in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def bench_handoff(ids, port: int, connections: int, repeat: int, *, placements: list[str], sink_pid: int) -> float:
    import numpy as np
    from django.conf import settings
    from django.db import transaction

    from openbeat.alerts.audience import Audience
    from openbeat.delivery.messages import build_emails
    from openbeat.delivery.models import Delivery
    from openbeat.delivery.outbox import batch_ranges, batch_send, outbox_fill_for_alert
    from openbeat.delivery.transports.smtp import SmtpTransport
    from openbeat.delivery.transports.smtp_message import serialise

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 30},
        }
    }
    settings.DELIVERY_SMTP_CONNECTIONS = connections
    settings.DELIVERY_TRANSPORT_FAKE = False
    empty = np.array([], dtype=np.int64)
    count = len(ids)
    bare_rate = 0.0
    for placement in placements:
        project, bare = [], []
        for _ in range(repeat):
            clear_deliveries()
            alert = fresh_alert()
            with transaction.atomic():
                outbox_fill_for_alert(alert=alert, audience=Audience(email=ids, sms=empty))
            with placed(placement, sink_pid) as where:
                start = time.perf_counter()
                for first, last in batch_ranges(alert_id=alert.pk, channel="email"):
                    batch_send(alert_id=alert.pk, channel="email", first_id=first, last_id=last)
                project.append(time.perf_counter() - start)
            delivered = Delivery.objects.filter(alert=alert, state="delivered").count()
            assert delivered == count, (delivered, count)

            # Baseline: the same messages, built and serialised before the clock starts, over as many connections.
            deliveries = list(Delivery.objects.filter(alert=alert).select_related("alert", "subscriber"))
            prebuilt = [(m.to, serialise(m, to=m.to)) for m in build_emails(deliveries)]
            with placed(placement, sink_pid):
                start = time.perf_counter()
                bare_loop(prebuilt, port, SmtpTransport(connections=1).sender, connections)
                bare.append(time.perf_counter() - start)
        rate, bare_rate = count / min(project), count / min(bare)
        print(
            f"  2. email hand-off of {count:,} messages over {connections} SMTP connection(s), CPUs {where}: "
            f"batch_send {rate:,.0f} msgs/s | bare smtplib loop, pre-built messages {bare_rate:,.0f} msgs/s | ratio "
            f"project/bare {rate / bare_rate:.2f} | target >= 0.7: {'met' if rate / bare_rate >= 0.7 else 'MISSED'}",
            flush=True,
        )
    clear_deliveries()
    return bare_rate


def bench_end_to_end(ids, port: int, workers: int, bare_rate: float) -> None:
    import numpy as np
    from django.conf import settings
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from openbeat.alerts.audience import Audience
    from openbeat.alerts.models import Alert
    from openbeat.delivery.models import Delivery
    from openbeat.delivery.outbox import outbox_fill_for_alert

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    DBTaskResult.objects.all().delete()
    clear_deliveries()
    alert = fresh_alert()
    count = len(ids)
    with transaction.atomic():
        outbox_fill_for_alert(alert=alert, audience=Audience(email=ids, sms=np.array([], dtype=np.int64)))
    env = {
        **os.environ,
        "TASKS_BACKEND": "db",
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    command = [sys.executable, str(REPO / "manage.py"), "db_worker", "--no-reload", "--no-startup-delay"]
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [*command, "--interval", "0.2"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(workers)
    ]
    try:
        while Alert.objects.get(pk=alert.pk).state != Alert.State.SENT:
            if any(p.poll() is not None for p in processes):
                raise SystemExit("a worker exited early")
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    delivered = Delivery.objects.filter(alert=alert, state="delivered").count()
    rate = delivered / elapsed
    print(
        f"  3. end to end, {count:,}-recipient alert through {workers} db_worker process(es) (the project's "
        f"settings: SMTP connections per worker as deployed): all {delivered:,} delivered and the alert sent in "
        f"{elapsed:.1f} s "
        f"(worker start-up included) = {rate:,.0f} msgs/s | bare smtplib loop {bare_rate:,.0f} msgs/s | ratio "
        f"{rate / bare_rate:.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument("--handoff", type=int, default=20_000, help="messages in the hand-off comparison")
    parser.add_argument("--end-to-end", type=int, default=100_000, help="recipients of the end-to-end alert")
    parser.add_argument(
        "--connections", type=int, help="SMTP connections in part 2 (default: DELIVERY_SMTP_CONNECTIONS, as deployed)"
    )
    parser.add_argument("--workers", type=int, default=1, help="db_worker processes in the end-to-end run")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/openbeat_bench (emptied!)")
    parser.add_argument("--keep", metavar="DIR", help="build the subscribers once and reuse them on later runs")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: 1,2,3")
    parser.add_argument(
        "--placement", choices=("both", "split", "shared"), default="both", help="CPU placement in part 2 (above)"
    )
    args = parser.parse_args()
    skip = set(args.skip.split(","))

    with tempfile.TemporaryDirectory(prefix="openbeat-fanout-") as scratch:
        tmp = args.keep or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        setup_django(tmp, args.database_url, flush=not args.keep)
        from django.conf import settings
        from django.db import connection

        from openbeat.subscriptions.models import Subscriber

        # The fill queues batch tasks on commit: record them (part 3 uses the real database backend).
        settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
        args.connections = args.connections or settings.DELIVERY_SMTP_CONNECTIONS
        settings.DELIVERY_SMTP_CONNECTIONS = args.connections
        reuse = bool(args.keep) and Subscriber.objects.count() == args.subscribers
        if not reuse:
            if args.keep and args.database_url:
                from django.core.management import call_command

                call_command("flush", interactive=False, verbosity=0)
            from openbeat.demo.steps import demo_context, step_force, step_geography, step_postcodes

            ctx = demo_context()
            for step in (step_force, step_geography, step_postcodes):
                step(ctx)
            print(f"{connection.vendor}: generating {args.subscribers:,} subscribers over the demo force", flush=True)
            generate(args.subscribers)
        import numpy as np

        everyone = np.array(Subscriber.objects.order_by("pk").values_list("pk", flat=True), dtype=np.int64)
        reachable = np.array(
            Subscriber.objects.filter(status="active", email__isnull=False).order_by("pk").values_list("pk", flat=True),
            dtype=np.int64,
        )
        print(f"{connection.vendor}: {len(everyone):,} subscribers ({len(reachable):,} active with email)", flush=True)

        if "1" not in skip:
            bench_persist(everyone, args.repeat)
        sink, port = start_sink()
        try:
            bare_rate = 0.0
            if "2" not in skip:
                placements = ["split", "shared"] if args.placement == "both" else [args.placement]
                bare_rate = bench_handoff(
                    reachable[: args.handoff],
                    port,
                    args.connections,
                    args.repeat,
                    placements=placements,
                    sink_pid=sink.pid,
                )
            if "3" not in skip:
                bench_end_to_end(reachable[: args.end_to_end], port, args.workers, bare_rate or 1.0)
        finally:
            sink.kill()


if __name__ == "__main__":
    main()
