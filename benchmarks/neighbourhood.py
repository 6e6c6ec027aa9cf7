#!/usr/bin/env python
"""The neighbourhood page and a live PACT meeting, at the issue's scale, each beside a baseline of the same run.

1. Data: the demo force (migrate, load_demo) in a throwaway SQLite file (or PostgreSQL with --database-url,
   emptied!), then --crimes street-level crimes spread over its neighbourhoods and twelve months, and a year of
   weekly events in every neighbourhood.
2. First uncached render: the page of --renders neighbourhoods, each rendered once in-process with the public
   page cache off (the cost a visitor pays after any change empties the cache), beside the same client's
   request for /healthz (the whole middleware stack, no page). Target: under 150 ms.
3. Throughput: the cached page under gunicorn (2 sync workers, DEBUG off) against a bare Django project serving
   the same bytes (benchmarks/pages.py's baseline), wrk from 127.0.0.1. Target: at least 0.8 of the bare rate.
4. A live meeting: --watchers simulated watchers (locust, FastHttpUser) each polling the live JSON every 5 s, as
   the page does (If-None-Match, a watcher id), against gunicorn (--live-workers workers of --live-threads
   threads with keep-alive, as deployed); halfway through, a moderator answers a question through the service;
   every watcher records when it first sees the answer.
   Targets: p95 under 200 ms, no errors, every watcher sees the answer within 5 s. Baseline: the same load
   against the bare project serving a JSON body of the same size.

    .venv/bin/python benchmarks/neighbourhood.py [--crimes 1000000] [--watchers 3000] [--seconds 10]
        [--live-seconds 60] [--database-url ...]

Needs wrk (`sudo scripts/system-packages.sh --benchmarks`) and locust (in requirements/lock.txt).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import pages  # noqa: E402  (benchmarks/pages.py: gunicorn, wrk, the bare project)

LOCUSTFILE = """
import json, os, random, time
from locust import FastHttpUser, constant_pacing, events, task

PATH = os.environ["LIVE_PATH"]
ANSWER_ID = int(os.environ["ANSWER_ID"])
OUT = os.environ["SEEN_FILE"]
seen = {}


class Watcher(FastHttpUser):
    wait_time = constant_pacing(5)

    def on_start(self):
        self.watcher = "%032x" % random.getrandbits(128)
        self.etag = None
        time.sleep(random.uniform(0, 5))  # watchers open the page at different moments

    @task
    def poll(self):
        headers = {"X-Watcher": self.watcher}
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(PATH, headers=headers, name="live.json", catch_response=True) as response:
            if response.status_code == 304:
                response.success()
                return
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            self.etag = response.headers.get("ETag")
            if self.watcher not in seen and ANSWER_ID >= 0:
                body = response.text or ""
                if f'"id": {ANSWER_ID},' in body or f'"id":{ANSWER_ID},' in body:
                    data = json.loads(body)
                    if any(q.get("id") == ANSWER_ID and q.get("answer") for q in data.get("questions", [])):
                        seen[self.watcher] = time.time()
            response.success()


@events.quitting.add_listener
def _write(environment, **kwargs):
    with open(OUT, "w") as out:
        users = environment.runner.user_count if environment.runner else 0
        json.dump({"seen": list(seen.values()), "users": users}, out)
"""


def setup_django(env: dict[str, str]) -> None:
    """This process on the benchmark's database, with the servers' settings."""
    os.environ.update(env)
    import django

    django.setup()


def add_crimes(total: int, seed: int = 7) -> int:
    """`total` crimes over the demo's neighbourhoods and the last twelve months, in bulk."""
    from shapely.geometry import shape

    from openbeat.areas.models import Neighbourhood
    from openbeat.core.months import last_complete_month, month_shift, month_start
    from openbeat.crime.categories import CATEGORIES
    from openbeat.crime.models import Crime
    from openbeat.crime.services import categories_ensure, crime_counts_refresh

    categories_ensure()
    rng = random.Random(seed)
    hoods = list(Neighbourhood.objects.exclude(boundary__isnull=True))
    boxes = {n.pk: shape(n.boundary).bounds for n in hoods}
    last = last_complete_month()
    months = [month_start(month_shift(last, -i)) for i in range(12)]
    slugs = [slug for slug, _name in CATEGORIES]
    existing = Crime.objects.count()
    batch: list[Crime] = []
    made = 0
    started = time.perf_counter()
    for index in range(max(0, total - existing)):
        hood = hoods[index % len(hoods)]
        west, south, east, north = boxes[hood.pk]
        batch.append(
            Crime(
                row_key=f"bench{seed}-{index}",
                month=months[index % 12],
                category_id=rng.choice(slugs),
                lat_e6=int(rng.uniform(south, north) * 1e6),
                lon_e6=int(rng.uniform(west, east) * 1e6),
                location="On or near Bench Street",
                neighbourhood=hood,
            )
        )
        if len(batch) == 10_000:
            Crime.objects.bulk_create(batch)
            made += len(batch)
            batch = []
            if made % 100_000 == 0:
                print(f"  crimes: {existing + made:,}", flush=True)
    if batch:
        Crime.objects.bulk_create(batch)
        made += len(batch)
    print(f"  crimes: {existing + made:,} ({made:,} added in {time.perf_counter() - started:.0f} s)")
    started = time.perf_counter()
    crime_counts_refresh(months=months)  # as the importer does once a file
    print(f"  counted for the pages in {time.perf_counter() - started:.1f} s")
    return existing + made


def add_events(weeks: int = 52) -> int:
    """A weekly event in every neighbourhood for the past year and the next weeks."""
    from django.utils import timezone

    from openbeat.areas.models import Neighbourhood
    from openbeat.events.models import Event

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = []
    for hood in Neighbourhood.objects.select_related("division"):
        for week in range(-weeks + 4, 5):
            start = now + timedelta(weeks=week, hours=18 - now.hour)
            rows.append(
                Event(
                    title=f"Beat surgery, {hood.name}",
                    kind=Event.Kind.SURGERY,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    address="Community centre",
                    neighbourhood=hood,
                    division=hood.division,
                    state=Event.State.PUBLISHED,
                    published_at=start - timedelta(days=14),
                )
            )
    Event.objects.bulk_create(rows, batch_size=2_000)
    return Event.objects.count()


def first_renders(codes: list[str]) -> tuple[list[float], list[float], list[float]]:
    """Each page rendered with the page cache off (in-process, the whole request) just after a change of public
    content, so that nothing the pages share is remembered (the force's crime figures are counted again each
    time): first with its crime chart never drawn (as after a crime import), then again after another change
    (a new priority, say: the chart, whose figures did not change, comes from the shared cache). As a baseline,
    the same client asking for /healthz (the same middleware, no page) just before each. One page is rendered
    first and not counted: a process's first page compiles the templates."""
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings

    from openbeat.core.pagecache import public_content_changed

    client = Client()
    drawn_ms, page_ms, bare_ms = [], [], []
    with override_settings(PUBLIC_PAGE_CACHE=False, ALLOWED_HOSTS=["*"]):
        client.get("/healthz")  # the process's first request (URLconf, middleware) is not the page's cost
        client.get(f"/neighbourhoods/{codes[-1]}/")
        cache.clear()
        for times in (drawn_ms, page_ms):
            for code in codes:
                public_content_changed()
                started = time.perf_counter()
                client.get("/healthz")
                bare_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                response = client.get(f"/neighbourhoods/{code}/")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (code, response.status_code)
    return drawn_ms, page_ms, bare_ms


def live_meeting() -> tuple[str, int]:
    """A meeting happening now with 30 approved questions; the path of its live JSON and a question to answer."""
    from django.utils import timezone

    from openbeat.areas.models import Neighbourhood
    from openbeat.events.models import Event
    from openbeat.meetings.models import Meeting, Participant, Question

    hood = Neighbourhood.objects.select_related("division").first()
    now = timezone.now()
    event = Event.objects.create(
        title="Online PACT meeting (benchmark)",
        kind=Event.Kind.PACT,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
        attendance=Event.Attendance.ONLINE,
        online_url="https://stream.example/pact",
        neighbourhood=hood,
        division=hood.division,
        state=Event.State.PUBLISHED,
        published_at=now - timedelta(days=7),
    )
    meeting = Meeting.objects.create(event=event, stream_url="https://stream.example/pact", stream_title="Stream")
    questions = []
    for n in range(30):
        person = Participant.objects.create(meeting=meeting, email_hash=f"{n:064x}", verified_at=now)
        questions.append(
            Question.objects.create(
                meeting=meeting,
                participant=person,
                display_name=f"Resident {n}",
                text=f"Question {n} about parking and speeding on the main road near the school?",
                state=Question.State.APPROVED,
                approved_at=now,
            )
        )
    return f"/meetings/{event.public_id}/live.json", questions[-1].pk


def answer(question_id: int) -> float:
    """The moderator answers through the service (as the console does); the moment it committed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction

    from openbeat.meetings.models import Question
    from openbeat.meetings.services import question_answer
    from openbeat.staff import roles

    roles.roles_sync()
    user, _ = get_user_model().objects.get_or_create(username="bench.moderator")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    user = get_user_model().objects.get(pk=user.pk)
    with transaction.atomic():  # the live version changes when this commits, as after the console's request
        question_answer(question=Question.objects.get(pk=question_id), actor=user, answer="We will add patrols.")
    return time.time()


def locust(
    url: str, path: str, answer_id: int, users: int, seconds: int, tmp: Path, name: str
) -> tuple[Path, subprocess.Popen]:
    locustfile = tmp / "locustfile.py"
    locustfile.write_text(LOCUSTFILE)
    prefix = tmp / name
    env = {**os.environ, "LIVE_PATH": path, "ANSWER_ID": str(answer_id), "SEEN_FILE": str(prefix) + "-seen.json"}
    command = [
        str(REPO / ".venv" / "bin" / "locust"),
        "-f", str(locustfile), "--headless", "--host", url,
        "-u", str(users), "-r", str(max(1, users // 10)), "-t", f"{seconds}s",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "6",
    ]  # fmt: skip
    return prefix, subprocess.Popen(command, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def locust_figures(prefix: Path) -> dict[str, float]:
    with open(f"{prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    row = rows["live.json"]
    return {
        "requests": float(row["Request Count"]),
        "failures": float(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crimes", type=int, default=1_000_000)
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=10, help="wrk run per server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--watchers", type=int, default=3_000)
    parser.add_argument("--live-seconds", type=int, default=60)
    parser.add_argument("--live-workers", type=int, default=2)
    parser.add_argument("--live-threads", type=int, default=8, help="threads per worker (1: sync workers)")
    parser.add_argument("--database-url")
    parser.add_argument("--parts", default="render,throughput,live", help="which measurements, comma-separated")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: sudo scripts/system-packages.sh --benchmarks")

    with tempfile.TemporaryDirectory(prefix="openbeat-neighbourhood-") as name:
        tmp = Path(name)
        env = pages.build(tmp, args.database_url)
        setup_django(env)
        from openbeat.areas.models import Neighbourhood

        if "render" in parts:
            print(f"data: {add_crimes(args.crimes):,} crimes, {add_events():,} events")
        codes = list(Neighbourhood.objects.order_by("?").values_list("code", flat=True)[: args.renders])
        drawn_ms, page_ms, bare_ms = first_renders(codes) if "render" in parts else ([], [], [])
        if page_ms:
            print(
                f"uncached render of {len(codes)} neighbourhood pages, each the first after a change of public "
                f"content: with the crime chart drawn (after a crime import) median {statistics.median(drawn_ms):.0f} "
                f"ms, max {max(drawn_ms):.0f} ms; after any other change median {statistics.median(page_ms):.0f} ms, "
                f"max {max(page_ms):.0f} ms (target < 150 ms); the same "
                f"client's /healthz (middleware, no page): median {statistics.median(bare_ms):.1f} ms; ratio "
                f"{statistics.median(page_ms) / statistics.median(bare_ms):.0f}x"
            )

        # Throughput, cached, against the bare project serving the same bytes.
        app_port, bare_port = 8941, 8942
        app = pages.gunicorn("openbeat.wsgi", app_port, env, tmp / "app.log", REPO)
        servers = [app]
        try:
            path = f"/neighbourhoods/{codes[0]}/"
            status, html = pages.fetch(f"http://127.0.0.1:{app_port}{path}")
            assert status == 200
            templates = tmp / "bare_templates"
            templates.mkdir()
            (templates / "page.html").write_text(
                "<!-- {{ title }} {{ nonce }} -->{% verbatim %}"
                + html.replace("{% endverbatim %}", "")
                + "{% endverbatim %}"
            )
            live_path, answer_id = live_meeting()
            status, live_body = pages.fetch(f"http://127.0.0.1:{app_port}{live_path}")
            assert status == 200, status
            (templates / "live.html").write_text(
                "{% verbatim %}" + live_body + "{% endverbatim %}<!-- {{ title }} {{ nonce }} -->"
            )
            (tmp / "bare_settings.py").write_text(pages.BARE_SETTINGS % {"templates": str(templates)})
            (tmp / "bare_urls.py").write_text(pages.BARE_URLS)
            bare_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bare_settings", "PYTHONPATH": str(tmp)}
            servers.append(
                pages.gunicorn("django.core.wsgi:get_wsgi_application()", bare_port, bare_env, tmp / "bare.log", tmp)
            )
            pages.fetch(f"http://127.0.0.1:{app_port}{path}")  # into the page cache
            run_wrk = "throughput" in parts
            bare_rate = (
                pages.wrk(f"http://127.0.0.1:{bare_port}/bare/page/", args.seconds, args.connections) if run_wrk else 1
            )
            page_rate = (
                pages.wrk(f"http://127.0.0.1:{app_port}{path}", args.seconds, args.connections) if run_wrk else 0
            )
            if run_wrk:
                print(
                    f"cached neighbourhood page ({len(html.encode()):,} bytes), "
                    f"wrk -c{args.connections} {args.seconds} s, "
                    f"gunicorn 2 workers: {page_rate:,.0f}/s; bare Django, same bytes: {bare_rate:,.0f}/s; "
                    f"ratio {page_rate / bare_rate:.2f} (target >= 0.8)"
                )
        finally:
            for server in servers:
                server.terminate()
                server.wait(15)

        if "live" not in parts:
            return
        # The live meeting: locust watchers against OpenBeat (more workers), then against the bare project.
        live_env = {**env}
        # Threads with keep-alive (the deployed web server: deploy/systemd/openbeat-web.service): a watcher's poll
        # reuses its connection instead of a TCP handshake every 5 s, which on two CPUs shared with the load
        # generator is what the tail latency is made of. --live-threads 1 measures sync workers.
        worker_options = ["--workers", str(args.live_workers)]
        if args.live_threads > 1:
            worker_options += ["--worker-class", "gthread", "--threads", str(args.live_threads), "--keep-alive", "30"]
        app = subprocess.Popen(
            [pages.PYTHON, "-m", "gunicorn", "openbeat.wsgi", "--bind", f"127.0.0.1:{app_port}",
             *worker_options],
            cwd=REPO, env=live_env, stdout=(tmp / "live.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        pages.wait_for(f"http://127.0.0.1:{app_port}/healthz", app, tmp / "live.log")
        bare = subprocess.Popen(
            [pages.PYTHON, "-m", "gunicorn", "django.core.wsgi:get_wsgi_application()", "--bind",
             f"127.0.0.1:{bare_port}", *worker_options],
            cwd=tmp, env=bare_env, stdout=(tmp / "bare-live.log").open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        pages.wait_for(f"http://127.0.0.1:{bare_port}/bare/live/", bare, tmp / "bare-live.log")
        try:
            prefix, run = locust(
                f"http://127.0.0.1:{app_port}", live_path, answer_id, args.watchers, args.live_seconds, tmp, "app"
            )
            time.sleep(args.live_seconds / 2)
            answered_at = answer(answer_id)
            _out, err = run.communicate(timeout=args.live_seconds + 60)
            app_figures = locust_figures(prefix)
            seen = json.loads(Path(f"{prefix}-seen.json").read_text())
            delays = sorted(at - answered_at for at in seen["seen"])
            bare_prefix, bare_run = locust(
                f"http://127.0.0.1:{bare_port}", "/bare/live/", -1, args.watchers, args.live_seconds, tmp, "bare"
            )
            bare_run.communicate(timeout=args.live_seconds + 60)
            bare_figures = locust_figures(bare_prefix)
        finally:
            for server in (app, bare):
                server.terminate()
                server.wait(15)
        print(
            f"live meeting, {args.watchers:,} watchers polling every 5 s for {args.live_seconds} s, gunicorn "
            f"{' '.join(worker_options)}, locust on the same {os.cpu_count()} CPUs:"
        )
        for label, figures in (("OpenBeat live.json", app_figures), ("bare Django, same body", bare_figures)):
            print(
                f"  {label:24} {figures['rps']:7.0f} req/s, {figures['requests']:,.0f} requests, "
                f"{figures['failures']:,.0f} failed, p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, "
                f"p99 {figures['p99']:.0f} ms"
            )
        print(
            f"  p95 ratio OpenBeat/bare: {app_figures['p95'] / max(bare_figures['p95'], 1):.2f} "
            "(target p95 < 200 ms, no errors)"
        )
        if delays:
            print(
                f"  the answer reached {len(delays):,} of {args.watchers:,} watchers: median "
                f"{statistics.median(delays):.1f} s, slowest {delays[-1]:.1f} s after it was saved "
                "(target: all within 5 s)"
            )
        else:
            print(f"  the answer reached no watcher:\n{err[-2000:]}")


if __name__ == "__main__":
    main()
