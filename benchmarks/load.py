#!/usr/bin/env python
"""The whole stack under a mixed load, with and without a 100,000-recipient alert being sent at the same time.

The stack is the production recipe (deploy/) on 127.0.0.1, started as the walk-through test starts it
(openbeat/core/tests/processes.py): Debian's nginx serving deploy/nginx/openbeat.conf over TLS, gunicorn with
deploy/systemd/openbeat-web.service's command line, one task worker (openbeat-worker@.service) and the
scheduler, on PostgreSQL (a fresh database, --database-url, default openbeat_load: dropped and created) with
Redis for the cache (--redis-url), production settings (HTTPS=on, DEBUG off, collected static files) and a
discarding SMTP server in its own process (benchmarks/fanout.py's sink, at nice 10: it stands in for a relay on
another host) as the mail relay.

Data: the demo force (manage.py load_demo, as benchmarks/pages.py builds it) and --subscribers generated
subscribers in bulk (benchmarks/audience.py); the alert goes to --recipients of them (all by email).

Load: locust (FastHttpUser, headless, --users users) for --minutes, a weighted mix of
  page      public pages: home, neighbourhood pages, news (weight 10)
  postcode  postcode look-ups on the find-your-neighbourhood page (4)
  api       open data API calls: forces, neighbourhoods, one neighbourhood (3)
  signup    In the Know sign-ups, every page of the journey with its CSRF token (1 journey = 8 requests)
  report    Do It Online reports, start to "Check your answers" (1 journey = 4 requests)
Each simulated user sends its own X-Forwarded-For address (nginx on 127.0.0.1 is the trusted proxy, so OpenBeat
takes it as the client's), so per-client rate limits run for real without refusing the benchmark as one
client; a sign-up or a report uses a fresh address and email each time.

Run 1 is the mix alone (the baseline). Run 2 is the same mix while an alert to every subscriber with an email
is sent: its deliveries are written to the outbox when the run starts (as `alert_dispatch` does) and the
worker hands them to the SMTP server; the time to the alert marked sent is recorded. The alert is on time if it
finishes within the run (fanout.py measures the hand-off rate itself; its target is a ratio, not a time).

Printed: per kind, for both runs, requests/s, p50/p95/p99 (ms) and errors, with the ratios run 2 / run 1; the
alert's send time and rate. Exits non-zero on any error or a page p95 of 300 ms or more (in either run).

    .venv/bin/python benchmarks/load.py [--minutes 10] [--recipients 100000] [--subscribers 120000] [--users 40]
        [--database-url postgres://postgres@127.0.0.1:5432/openbeat_load] [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages
from audience import REPO, generate, setup_django
from fanout import clear_deliveries, fresh_alert, start_sink
from reports import bench_type

sys.path.insert(0, str(REPO))
from openbeat.core.tests.processes import free_port, nginx, recipe_gunicorn, running, unit_command

# What the worker and the scheduler log once they are running (the worker logs at INFO).
WORKER, SCHEDULER = "Starting worker", "Scheduler "
KINDS = ["page", "postcode", "api", "signup", "report"]
REPORT_TYPE = "load-noise"

LOCUSTFILE = """
import os, random, re, uuid
from locust import FastHttpUser, between, task

NEIGHBOURHOODS = os.environ["LOAD_NEIGHBOURHOODS"].split(",")
POSTCODES = os.environ["LOAD_POSTCODES"].split(",")
FORCE = os.environ["LOAD_FORCE"]
ORIGIN = os.environ["LOAD_ORIGIN"]
REPORT = "/report/" + os.environ["LOAD_REPORT_TYPE"] + "/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def address():
    return "10.%d.%d.%d" % (random.randrange(256), random.randrange(256), random.randrange(1, 255))


class Resident(FastHttpUser):
    wait_time = between(0.5, 2)
    insecure = True  # the stack's self-signed certificate

    def on_start(self):
        self.headers = {"X-Forwarded-For": address()}

    def get(self, path, kind, headers=None):
        with self.client.get(path, name=kind, headers=headers or self.headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure("status %s" % response.status_code)
            return response

    def form(self, path, data, kind, headers):
        # A new browser for each journey: its own cookies.
        page = self.get(path, kind, headers)
        found = TOKEN.search(page.text or "")
        if not found:
            page.failure("no CSRF token on " + path)
            return False
        body = {"csrfmiddlewaretoken": found.group(1), **data}
        post_headers = {**headers, "Origin": ORIGIN, "Referer": ORIGIN + path}
        with self.client.post(path, data=body, name=kind, headers=post_headers, allow_redirects=False,
                              catch_response=True) as response:
            if response.status_code != 302:
                response.failure("status %s on %s" % (response.status_code, path))
                return False
        return True

    @task(10)
    def page(self):
        choice = random.random()
        if choice < 0.3:
            self.get("/", "page")
        elif choice < 0.8:
            self.get("/neighbourhoods/%s/" % random.choice(NEIGHBOURHOODS), "page")
        else:
            self.get("/news/", "page")

    @task(4)
    def postcode(self):
        self.get("/neighbourhoods/?postcode=" + random.choice(POSTCODES).replace(" ", "+"), "postcode")

    @task(3)
    def api(self):
        choice = random.random()
        if choice < 0.3:
            self.get("/api/forces", "api")
        elif choice < 0.6:
            self.get("/api/%s/neighbourhoods" % FORCE, "api")
        else:
            self.get("/api/%s/%s" % (FORCE, random.choice(NEIGHBOURHOODS)), "api")

    @task(1)
    def signup(self):
        self.client.cookiejar.clear()
        headers = {"X-Forwarded-For": address()}
        base = "/in-the-know/"
        email = "load-%s@example.com" % uuid.uuid4().hex
        steps = [
            ("postcode/", {"postcode": random.choice(POSTCODES)}),
            ("your-neighbourhood/", {}),
            ("other-areas/", {"action": "continue"}),
            ("interests/", {"topics": "crime-alerts"}),
            ("contact/", {"email": email, "email_when": "both", "email_min_priority": "0", "sms": "no"}),
            ("language/", {"language": "en"}),
            ("about-you/", {}),
            ("check-your-answers/", {}),
        ]
        for path, data in steps:
            if not self.form(base + path, data, "signup", headers):
                return

    @task(1)
    def report(self):
        self.client.cookiejar.clear()
        headers = {"X-Forwarded-For": address()}
        email = "report-%s@example.com" % uuid.uuid4().hex
        steps = [
            ("questions/1/", {"what": "Loud music every night", "kind": "music"}),
            ("location/", {"postcode": random.choice(POSTCODES)}),
            ("about-you/", {"name": "Load Test", "email": email, "phone": ""}),
            ("check-your-answers/", {}),
        ]
        for path, data in steps:
            if not self.form(REPORT + path, data, "report", headers):
                return
"""


def fresh_database(url: str) -> None:
    """Drop and create the database named in `url` (connecting to the server's `postgres` database)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def locust(host: str, env: dict[str, str], users: int, minutes: float, prefix: Path) -> subprocess.Popen:
    locustfile = prefix.parent / "locustfile.py"
    locustfile.write_text(LOCUSTFILE)
    command = [
        str(REPO / ".venv" / "bin" / "locust"),
        "-f", str(locustfile), "--headless", "--host", host,
        "-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{int(minutes * 60)}s",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=prefix.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def figures(prefix: Path) -> dict[str, dict[str, float]]:
    with open(f"{prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    result = {}
    for kind in KINDS:
        row = rows.get(kind)
        if row is None:
            result[kind] = {"requests": 0, "errors": 0, "rps": 0.0, "p50": 0.0, "p95": 0.0, "p99": 0.0}
            continue
        result[kind] = {
            "requests": float(row["Request Count"]),
            "errors": float(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
        }
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        lines = failures.read_text().splitlines()[1:6]
        for line in lines:
            print(f"    failure: {line}", flush=True)
    return result


def start_alert(subscribers) -> int:
    """An alert to `subscribers` on its way: its deliveries in the outbox and its batches queued on commit, as
    `alert_dispatch` leaves them; returns its id."""
    import numpy as np
    from django.db import transaction

    from openbeat.alerts.audience import Audience
    from openbeat.delivery.outbox import outbox_fill_for_alert

    alert = fresh_alert()
    with transaction.atomic():
        outbox_fill_for_alert(alert=alert, audience=Audience(email=subscribers, sms=np.array([], dtype=np.int64)))
    return alert.pk


def run(
    name: str, host: str, env: dict[str, str], args: argparse.Namespace, tmp: Path, subscribers=None
) -> tuple[dict[str, dict[str, float]], float | None, int]:
    from openbeat.alerts.models import Alert
    from openbeat.delivery.models import Delivery

    prefix = tmp / name
    alert_id, sent_after = None, None
    started = time.perf_counter()
    process = locust(host, env, args.users, args.minutes, prefix)
    if subscribers is not None:
        alert_id = start_alert(subscribers)
        print(f"  {name}: alert {alert_id} to {len(subscribers):,} subscribers queued", flush=True)
    while process.poll() is None:
        if (
            alert_id is not None
            and sent_after is None
            and Alert.objects.filter(pk=alert_id, state=Alert.State.SENT).exists()
        ):
            sent_after = time.perf_counter() - started
            print(f"  {name}: alert sent after {sent_after:.0f} s", flush=True)
        time.sleep(1)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode not in (0, 1):  # 1: some requests failed (reported below)
        sys.exit(f"locust exited {process.returncode}:\n{stderr[-3000:]}")
    delivered = Delivery.objects.filter(alert_id=alert_id, state="delivered").count() if alert_id else 0
    return figures(prefix), sent_after, delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--recipients", type=int, default=100_000, help="the alert's recipients (by email)")
    parser.add_argument(
        "--subscribers", type=int, default=120_000, help="subscribers generated (about 86%% active with an email)"
    )
    parser.add_argument("--users", type=int, default=40, help="simulated locust users")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/openbeat_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--skip-baseline", action="store_true", help="run 2 only")
    args = parser.parse_args()

    fresh_database(args.database_url)
    with tempfile.TemporaryDirectory(prefix="openbeat-load-") as scratch:
        tmp = Path(scratch)
        env = pages.build(tmp, args.database_url)  # migrate, load_demo, collectstatic
        setup_django(str(tmp), args.database_url, flush=False)
        from django.conf import settings
        from django.db import connection

        from openbeat.areas.models import Neighbourhood, Postcode
        from openbeat.core.models import Force
        from openbeat.subscriptions.models import Subscriber

        # This process queues the alert's batches: into the database queue the worker reads.
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
        started = time.perf_counter()
        with connection.cursor() as cursor:  # the demo's own subscribers: generate() numbers its own from 1
            cursor.execute(f"TRUNCATE {Subscriber._meta.db_table} RESTART IDENTITY CASCADE")
        generate(args.subscribers)
        bench_type(REPORT_TYPE, "Report noise (load test)")
        print(f"{args.subscribers:,} subscribers generated in {time.perf_counter() - started:.0f} s", flush=True)
        import numpy as np

        reachable = np.array(
            Subscriber.objects.filter(status="active", email__isnull=False)
            .exclude(email__startswith="load-")
            .order_by("pk")
            .values_list("pk", flat=True)[: args.recipients],
            dtype=np.int64,
        )
        if len(reachable) < args.recipients:
            sys.exit(f"only {len(reachable):,} subscribers can be sent email: raise --subscribers")
        codes = list(Neighbourhood.objects.order_by("?").values_list("code", flat=True)[:40])
        postcodes = list(Postcode.objects.filter(neighbourhood__isnull=False).order_by("?")[:200].values_list(
            "postcode", flat=True))  # fmt: skip

        sink, smtp_port = start_sink()
        # The sink stands in for the force's mail relay, which runs on another host: at nice 10, as the worker is
        # (openbeat-worker@.service), it takes the CPU the pages leave rather than competing with them for it.
        os.setpriority(os.PRIO_PROCESS, sink.pid, 10)
        port = free_port()
        origin = f"https://127.0.0.1:{port}"
        app_env = {
            **env,
            "DATABASE_CONN_MAX_AGE": "60",
            "REDIS_URL": args.redis_url,
            "HTTPS": "on",
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": origin,
            "BASE_URL": origin,
            "TRUSTED_PROXIES": "127.0.0.1",
            "TASKS_BACKEND": "db",
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
        }
        load_env = {
            **os.environ,
            "LOAD_NEIGHBOURHOODS": ",".join(codes),
            "LOAD_POSTCODES": ",".join(postcodes),
            "LOAD_FORCE": Force.current().code,
            "LOAD_ORIGIN": origin,
            "LOAD_REPORT_TYPE": REPORT_TYPE,
        }
        results: dict[str, dict[str, dict[str, float]]] = {}
        sent_after, delivered = None, 0
        try:
            with (
                recipe_gunicorn(tmp, app_env, log="web.log") as app_port,
                nginx(tmp, app_port, port=port, worker_connections=4096) as proxy,
                running(unit_command("openbeat-worker@.service"), env=app_env, log=tmp / "worker.log", ready=WORKER),
                running(
                    unit_command("openbeat-scheduler.service"), env=app_env, log=tmp / "scheduler.log", ready=SCHEDULER
                ),
            ):
                host = f"https://127.0.0.1:{proxy.port}"
                if not args.skip_baseline:
                    print(f"run 1 (baseline): {args.users} users for {args.minutes:g} min", flush=True)
                    results["baseline"], _, _ = run("baseline", host, load_env, args, tmp)
                clear_deliveries()
                print(f"run 2: the same while an alert to {len(reachable):,} subscribers is sent", flush=True)
                results["alert"], sent_after, delivered = run("alert", host, load_env, args, tmp, reachable)
                if sent_after is None:  # what the worker was doing, before its log goes with the temp folder
                    print("worker log (last lines):", *(tmp / "worker.log").read_text().splitlines()[-15:], sep="\n  ")
        finally:
            sink.kill()
        report(results, args, sent_after, delivered, len(reachable))


def report(results, args, sent_after: float | None, delivered: int, recipients: int) -> None:
    print(
        f"\nthe recipe's stack on 127.0.0.1 ({os.cpu_count()} CPUs, shared with locust, PostgreSQL, Redis and the "
        f"SMTP sink): nginx TLS -> gunicorn (openbeat-web.service) + 1 worker + scheduler; {args.users} users, "
        f"{args.minutes:g} min per run"
    )
    header = f"{'kind':<9} {'run':<9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    print(header)
    print("-" * len(header))
    for kind in KINDS:
        for name in ("baseline", "alert"):
            if name not in results:
                continue
            f = results[name][kind]
            print(
                f"{kind:<9} {name:<9} {f['rps']:>8.1f} {f['p50']:>8.0f} {f['p95']:>8.0f} {f['p99']:>8.0f} "
                f"{f['errors']:>7.0f}"
            )
        if "baseline" in results:
            b, a = results["baseline"][kind], results["alert"][kind]
            ratio = " ".join(
                f"{key} x{a[key] / b[key]:.2f}" if b[key] else f"{key} -" for key in ("rps", "p50", "p95", "p99")
            )
            print(f"{'':<9} {'ratio':<9} {ratio}")
    minutes = args.minutes * 60
    if sent_after is None:
        print(f"alert: NOT finished within the run ({minutes:.0f} s); {delivered:,} of {recipients:,} delivered")
    else:
        print(
            f"alert: {delivered:,} of {recipients:,} delivered, marked sent after {sent_after:.0f} s "
            f"({delivered / sent_after:,.0f} msgs/s), on time (within the {minutes:.0f} s run)"
        )
    errors = sum(f["errors"] for run_figures in results.values() for f in run_figures.values())
    worst_page_p95 = max(run_figures["page"]["p95"] for run_figures in results.values())
    problems = []
    if errors:
        problems.append(f"{errors:.0f} errors")
    if worst_page_p95 >= 300:
        problems.append(f"page p95 {worst_page_p95:.0f} ms >= 300 ms")
    if sent_after is None:
        problems.append("the alert did not finish within the run")
    if problems:
        sys.exit("FAILED: " + "; ".join(problems))
    print("OK: no errors, page p95 under 300 ms, the alert finished within the run")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
