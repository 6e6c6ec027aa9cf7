#!/usr/bin/env python
"""Do It Online at scale: form submissions per second and the triage queue's first page, each beside a bare
Django view in the same run.

Builds the demo force's geography and N reports (default 1,000,000, by one INSERT ... SELECT) in a throwaway
SQLite database, or in PostgreSQL with --database-url (emptied!). Then:

  (b) the triage queue's first page (`reports_staff:queue`, R4's view) for a force-wide contact-centre user,
      in-process through Django's test client (the whole middleware stack), median of --repeat requests
      (target < 200 ms), beside a bare view through the same client;
  (a) submissions per second through the real form path: the final "Check your answers" POST with a draft
      cookie (a complete `ReportDraft` per submission, built beforehand as the earlier pages would leave it)
      under gunicorn (2 sync workers), from a threaded http.client load generator on 127.0.0.1
      (target >= 150/s on 2 cores), beside a bare Django view POSTed the same way to the same gunicorn.
      Each submission comes from its own 127.x.y.z address with its own email, so the per-IP and per-email
      rate limits run for real without refusing the benchmark. Tasks go to the database queue (as deployed);
      no worker runs, so confirmation emails are queued, not sent. The load generator shares the machine.

    .venv/bin/python benchmarks/reports.py [--reports 1000000] [--submissions 3000] [--threads 8]
        [--repeat 15] [--database-url postgres://...] [--keep DIR] [--skip a,b]
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audience import REPO, setup_django

BENCH_SETTINGS = """from openbeat.settings import *  # noqa: F403
ROOT_URLCONF = "bench_urls"
"""
BENCH_URLS = '''from django.http import HttpResponse
from django.urls import path

from openbeat.urls import urlpatterns as project


def bare(request):
    """The baseline: the same middleware (sessions, CSRF, auth, CSP), no work."""
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), *project]
'''
BENCH_TYPE = "bench-noise"


def write_site(tmp: str) -> None:
    """A settings module adding one bare view in front of the project's URLs, for both processes."""
    Path(tmp, "bench_settings.py").write_text(BENCH_SETTINGS)
    Path(tmp, "bench_urls.py").write_text(BENCH_URLS)
    sys.path.insert(0, tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ["TASKS_BACKEND"] = "db"


def generate_reports(count: int) -> None:
    """`count` reports over two years, spread over neighbourhoods and types; ~6% still open (as a force's
    table would look), 1 in 20 in the force-wide queue. One INSERT ... SELECT, numbers made by the database."""
    from django.db import connection, transaction
    from django.utils import timezone

    from openbeat.areas.models import Neighbourhood
    from openbeat.reports.models import Report, ReportType

    neighbourhoods = list(Neighbourhood.objects.order_by("pk").values_list("pk", "division_id"))
    types = list(ReportType.objects.order_by("pk").values_list("pk", "sla_amber_hours", "sla_red_hours"))
    now = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
    pg = connection.vendor == "postgresql"
    table = Report._meta.db_table
    started = time.perf_counter()
    minutes = "((seq.n * 7919) % 1051200)"  # up to two years back, scattered
    if pg:
        numbers = "generate_series(1, %s) AS seq(n)"
        created = f"(%s::timestamptz - {minutes} * interval '1 minute')"
        amber, red = (f"({created} + t.{h} * interval '1 hour')" for h in ("amber", "red"))
        reference = "'BX-' || lpad(seq.n::text, 9, '0')"
        public_id = "lpad(to_hex(seq.n), 32, '0')::uuid"
        empty_obj, empty_list = "'{}'::jsonb", "'[]'::jsonb"
        with_clause = ""
    else:
        numbers = "seq"
        created = f"datetime(%s, '-' || {minutes} || ' minutes')"
        amber, red = (
            f"datetime(%s, '-' || {minutes} || ' minutes', '+' || t.{h} || ' hours')" for h in ("amber", "red")
        )
        reference = "'BX-' || printf('%%09d', seq.n)"
        public_id = "printf('%%032x', seq.n)"
        empty_obj, empty_list = "'{}'", "'[]'"
        with_clause = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
    is_closed = f"({minutes} > 43200 AND seq.n %% 50 <> 0)"
    open_status = (
        "CASE seq.n %% 4 WHEN 0 THEN 'new' WHEN 1 THEN 'triaged' WHEN 2 THEN 'assigned' ELSE 'awaiting_reporter' END"
    )
    # No outside input below: numbers, and the table's name.
    sql = (
        f"{with_clause}INSERT INTO {table} (reference, public_id, report_type_id, source, status, outcome, "  # noqa: S608
        "outcome_detail, division_id, neighbourhood_id, location_source, lat, lon, postcode, address, answers, "
        "answers_shown, reporter_name, reporter_email, reporter_phone, named_officer_id, assigned_to_id, "
        "assigned_team, public_note, created_at, updated_at, closed_at, sla_amber_at, sla_red_at) "
        f"SELECT {reference}, {public_id}, t.type_id, 'web', "
        f"CASE WHEN {is_closed} THEN 'closed' ELSE {open_status} END, "
        f"CASE WHEN {is_closed} THEN 'resolved' ELSE '' END, '', "
        "CASE WHEN seq.n %% 20 = 0 THEN NULL ELSE b.division_id END, "
        "CASE WHEN seq.n %% 20 = 0 THEN NULL ELSE b.nbh_id END, "
        "CASE WHEN seq.n %% 20 = 0 THEN '' ELSE 'postcode' END, NULL, NULL, '', '', "
        f"{empty_obj}, {empty_list}, 'Bench Resident', 'r' || seq.n || '@example.com', '', NULL, NULL, '', '', "
        f"{created}, {created}, CASE WHEN {is_closed} THEN {created} ELSE NULL END, {amber}, {red} "
        f"FROM {numbers} JOIN bench_nbh b ON b.idx = seq.n %% {len(neighbourhoods)} "
        f"JOIN bench_type t ON t.idx = seq.n %% {len(types)}"
    )
    # Parameters in order of appearance: the CTE's bound (SQLite), `now` once per date expression (5), then
    # generate_series's bound (PostgreSQL, in FROM).
    params = [now] * 5 + [count] if pg else [count] + [now] * 5
    with transaction.atomic(), connection.cursor() as cursor:
        temp = "CREATE TEMP TABLE"
        cursor.execute(f"{temp} bench_nbh (idx integer PRIMARY KEY, nbh_id bigint, division_id bigint)")
        cursor.execute(f"{temp} bench_type (idx integer PRIMARY KEY, type_id bigint, amber integer, red integer)")
        cursor.executemany(
            "INSERT INTO bench_nbh VALUES (%s, %s, %s)", [(i, pk, d) for i, (pk, d) in enumerate(neighbourhoods)]
        )
        cursor.executemany("INSERT INTO bench_type VALUES (%s, %s, %s, %s)", [(i, *row) for i, row in enumerate(types)])
        cursor.execute(sql, params)
        cursor.execute("DROP TABLE bench_nbh")
        cursor.execute("DROP TABLE bench_type")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}" if pg else "ANALYZE")
    print(f"  generated {count:,} reports in {time.perf_counter() - started:.0f} s", flush=True)


def timed_gets(client, url: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return times


def bench_queue(repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from openbeat.reports.models import Report
    from openbeat.staff import roles
    from openbeat.staff.models import StaffProfile

    roles.roles_sync()
    user, _ = get_user_model().objects.get_or_create(username="bench-contact", defaults={"email": "cc@police.example"})
    user.groups.add(Group.objects.get(name=roles.CONTACT_CENTRE))
    StaffProfile.objects.update_or_create(user=user, defaults={"division": None})
    client = Client()
    client.force_login(user)
    url = reverse("reports_staff:queue")
    timed_gets(client, url, 3)  # warm: templates, the permission cache, the database's pages
    executed: list[str] = []
    # Counted at the cursor: CaptureQueriesContext's log is reset by every request's start.
    with connection.execute_wrapper(lambda execute, sql, *rest: executed.append(sql) or execute(sql, *rest)):
        client.get(url)
    project = timed_gets(client, url, repeat)
    timed_gets(client, "/bench/bare/", 3)
    bare = timed_gets(client, "/bench/bare/", repeat)
    median, bare_median = statistics.median(project), statistics.median(bare)
    total = Report.objects.count()
    print(
        f"  (b) triage queue first page, force-wide user, {total:,} reports: median {median * 1000:.0f} ms "
        f"(best {min(project) * 1000:.0f} ms, {len(executed)} queries) | bare view median {bare_median * 1000:.1f} ms "
        f"| difference {(median - bare_median) * 1000:.0f} ms | target < 200 ms: {'met' if median < 0.2 else 'MISSED'}",
        flush=True,
    )


def bench_type(slug: str = BENCH_TYPE, name: str = "Report noise (benchmark)"):
    """A short Do It Online type: one page of two questions, an optional location, no evidence (load.py's too)."""
    from openbeat.reports.models import Question, ReportType

    report_type, _ = ReportType.objects.update_or_create(
        slug=slug, defaults={"name": name, "summary": "Noise.", "location": "optional", "open311": False}
    )
    Question.objects.update_or_create(
        report_type=report_type, key="what", defaults={"label": "What happened?", "kind": "textarea", "page": 1}
    )
    Question.objects.update_or_create(
        report_type=report_type,
        key="kind",
        defaults={
            "label": "What kind of noise?",
            "kind": "choice",
            "page": 1,
            "choices": [{"value": "music", "label": "Music"}, {"value": "party", "label": "A party"}],
        },
    )
    return report_type


def build_drafts(report_type, count: int) -> list[str]:
    """Complete drafts, as the question, location and about-you pages leave them; returns each one's cookie."""
    from django.http import HttpResponse

    from openbeat.areas.models import Postcode
    from openbeat.reports.journey import draft_cookie_set
    from openbeat.reports.models import ReportDraft

    postcodes = list(Postcode.objects.filter(neighbourhood__isnull=False).values_list("postcode", flat=True)[:500])
    drafts = [
        ReportDraft(
            key=secrets.token_urlsafe(32),
            report_type=report_type,
            data={
                "answers": {"what": f"Loud music every night, number {i}", "kind": "music"},
                "pages_done": [1],
                "location": {"postcode": postcodes[i % len(postcodes)], "address": "", "lat": None, "lon": None},
                "about": {"name": "Sam Bench", "email": f"bench{i}-{secrets.token_hex(3)}@example.com", "phone": ""},
            },
        )
        for i in range(count)
    ]
    ReportDraft.objects.bulk_create(drafts, batch_size=1000)
    cookies = []
    for draft in drafts:
        response = HttpResponse()
        draft_cookie_set(response, draft)
        morsel = next(iter(response.cookies.values()))
        cookies.append(f"{morsel.key}={morsel.value}")
    return cookies


def source_address(i: int) -> str:
    """A distinct loopback address per request (all of 127/8 reaches the loopback interface)."""
    return f"127.{1 + i // 65025}.{(i // 255) % 255}.{i % 255 + 1}"


def load(port: int, path: str, cookies: list[str], threads: int, ok_status: int) -> tuple[float, int, dict[int, int]]:
    """POST once per cookie from `threads` threads; returns (seconds, successes, statuses seen)."""
    csrf = secrets.token_urlsafe(24)[:32].replace("-", "a").replace("_", "b")
    body = urlencode({"csrfmiddlewaretoken": csrf}).encode()
    jobs: queue.Queue[tuple[int, str]] = queue.Queue()
    for i, cookie in enumerate(cookies):
        jobs.put((i, cookie))
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker() -> None:
        while True:
            try:
                i, cookie = jobs.get_nowait()
            except queue.Empty:
                return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source_address(i), 0))
            conn.request(
                "POST",
                path,
                body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={csrf}; {cookie}",
                    "Referer": f"http://127.0.0.1:{port}{path}",
                },
            )
            status = conn.getresponse().status
            conn.close()
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.perf_counter() - started, statuses.get(ok_status, 0), statuses


def start_gunicorn(tmp: str) -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers=2",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        f"--pythonpath={tmp}",
        "openbeat.wsgi:application",
    ]
    process = subprocess.Popen(command, cwd=REPO, env=dict(os.environ), stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/bench/bare/")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def bench_submissions(tmp: str, count: int, threads: int) -> None:
    from openbeat.reports.models import Report

    report_type = bench_type()
    warm = 40
    cookies = build_drafts(report_type, count + warm)
    before = Report.objects.filter(report_type=report_type).count()
    process, port = start_gunicorn(tmp)
    try:
        path = f"/report/{BENCH_TYPE}/check-your-answers/"
        load(port, path, cookies[:warm], threads, 302)
        load(port, "/bench/bare/", [""] * warm, threads, 200)
        elapsed, sent, statuses = load(port, path, cookies[warm:], threads, 302)
        bare_elapsed, bare_ok, bare_statuses = load(port, "/bench/bare/", [""] * count, threads, 200)
    finally:
        process.terminate()
        process.wait(30)
    filed = Report.objects.filter(report_type=report_type).count() - before
    rate, bare_rate = sent / elapsed, bare_ok / bare_elapsed
    print(
        f"  (a) {count:,} submissions (Check your answers POST, draft cookie) under gunicorn 2 sync workers, "
        f"{threads} client threads: {rate:,.0f} submissions/s ({sent:,} redirected to the confirmation, "
        f"{filed:,} reports filed incl. {warm} warm-up; statuses {statuses}) | bare view POST {bare_rate:,.0f}/s "
        f"(statuses {bare_statuses}) | ratio project/bare {rate / bare_rate:.2f} | target >= 150/s: "
        f"{'met' if rate >= 150 else 'MISSED'}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=15, help="timed requests of the queue page and the bare view")
    parser.add_argument("--database-url", help="e.g. postgres://postgres@127.0.0.1:5432/openbeat_bench (emptied!)")
    parser.add_argument("--keep", metavar="DIR", help="build the reports once and reuse them on later runs")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: a,b")
    args = parser.parse_args()
    skip = set(args.skip.split(","))

    with tempfile.TemporaryDirectory(prefix="openbeat-reports-") as scratch:
        tmp = args.keep or scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        write_site(tmp)
        setup_django(tmp, args.database_url, flush=not args.keep)
        from django.db import connection

        from openbeat.reports.models import Report

        existing = Report.objects.filter(reference__startswith="BX-").count()
        if existing != args.reports:
            Report.objects.filter(reference__startswith="BX-").delete()
            from openbeat.demo.steps import demo_context, step_force, step_geography, step_postcodes

            ctx = demo_context()
            for step in (step_force, step_geography, step_postcodes):
                step(ctx)
            print(f"{connection.vendor}: generating {args.reports:,} reports over the demo force", flush=True)
            generate_reports(args.reports)
        print(f"{connection.vendor}: {Report.objects.count():,} reports", flush=True)
        if "b" not in skip:
            bench_queue(args.repeat)
        if "a" not in skip:
            bench_submissions(tmp, args.submissions, args.threads)


if __name__ == "__main__":
    main()
