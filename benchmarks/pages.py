#!/usr/bin/env python
"""Public pages for anonymous visitors: each page's throughput beside a bare Django view of the same size.

Builds the demo force in a throwaway SQLite database (or PostgreSQL with --database-url, emptied!), collects
static files as production does, and serves OpenBeat under gunicorn (2 sync workers, DEBUG off). Beside it, a
second gunicorn (2 workers) serves a bare Django project: no middleware, no database, one view rendering a
template built from the very page being measured (the same bytes, so the same size). wrk (Debian's package)
drives each from 127.0.0.1 in turn, in the same run, and the ratio OpenBeat/bare is printed per page.

The pages are those a resident reaches from the home page: every same-site link on it (not the back office
or files), and one level further for a neighbourhood, an alert, news stories and appeals, and youth articles.
With --uncached, OpenBeat is measured a second time with PUBLIC_PAGE_CACHE off, to show what the cache buys.

    .venv/bin/python benchmarks/pages.py [--seconds 5] [--connections 8] [--uncached] [--database-url ...]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
SKIP = ("/admin/", "/static/", "/documents/", "/media/", "/d/", "/open311/", "/healthz")

# One level further (parent page, the links to follow, how many): a neighbourhood's page, an alert's, news
# stories and appeals, and the youth site's articles for young people and for parents.
DEEPER = (
    ("/neighbourhoods/map/", re.compile(r"^/neighbourhoods/[^/]+/$"), 1),
    ("/alerts/", re.compile(r"^/alerts/[0-9a-f-]{36}/$"), 1),
    ("/news/", re.compile(r"^/news/[a-z0-9-]+/$"), 3),
    ("/youth/", re.compile(r"^/youth/(?!parents-and-carers/|questions/|ask/)[a-z0-9-]+/$"), 1),
    ("/youth/parents-and-carers/", re.compile(r"^/youth/parents-and-carers/[a-z0-9-]+/$"), 1),
)

BARE_SETTINGS = """SECRET_KEY = "bench-bare"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = []
MIDDLEWARE = []
ROOT_URLCONF = "bare_urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [%(templates)r]}]
DATABASES = {}
USE_TZ = True
"""
BARE_URLS = '''from django.shortcuts import render
from django.urls import path


def bare(request, name):
    """The baseline: a view rendering a template as large as the page, nothing else."""
    return render(request, f"{name}.html", {"title": name, "nonce": "abc"})


urlpatterns = [path("bare/<str:name>/", bare)]
'''


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith("/") and not href.startswith("//"):
                self.hrefs.append(href.split("#")[0])


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return [h for h in dict.fromkeys(parser.hrefs) if h and not h.startswith(SKIP)]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own server on 127.0.0.1
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{url} did not answer within 60 s")


def gunicorn(app: str, port: int, env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen:
    command = [PYTHON, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    wait_for(f"http://127.0.0.1:{port}/healthz" if "openbeat" in app else f"http://127.0.0.1:{port}/", process, log)
    return process


def wrk(url: str, seconds: int, connections: int) -> float:
    run = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    )
    if "Non-2xx" in run.stdout:
        sys.exit(f"{url} answered errors under load:\n{run.stdout}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout)
    assert match, run.stdout
    return float(match.group(1))


def build(tmp: Path, database_url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openbeat.settings",
        "DATABASE_URL": database_url or f"sqlite:///{tmp}/pages.sqlite3",
        "OPENBEAT_VAR_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "SECRET_KEY": "bench-pages-" + "x" * 40,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MAIL_BACKEND": "file",
    }
    manage = [PYTHON, "manage.py"]
    started = time.perf_counter()
    if database_url:
        subprocess.run([*manage, "flush", "--noinput"], cwd=REPO, env=env, check=False, capture_output=True)
    for step in (["migrate", "--noinput", "-v0"], ["load_demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([*manage, *step], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"demo force built and static files collected in {time.perf_counter() - started:.0f} s")
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--uncached", action="store_true", help="also measure with PUBLIC_PAGE_CACHE off")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: sudo apt-get install --no-install-recommends wrk")

    with tempfile.TemporaryDirectory(prefix="openbeat-pages-") as name:
        tmp = Path(name)
        env = build(tmp, args.database_url)
        app_port, bare_port, plain_port = 8931, 8932, 8933
        app = gunicorn("openbeat.wsgi", app_port, env, tmp / "app.log", REPO)
        servers = [app]
        try:
            base = f"http://127.0.0.1:{app_port}"
            status, home = fetch(base + "/")
            assert status == 200
            pages = ["/", *[p for p in links_of(home) if p != "/"]]
            for parent, pattern, count in DEEPER:
                if parent not in pages:
                    pages.append(parent)
                deeper = [p for p in links_of(fetch(base + parent)[1]) if pattern.match(p) and p not in pages]
                pages += list(dict.fromkeys(deeper))[:count]

            templates = tmp / "bare_templates"
            templates.mkdir()
            names: dict[str, str] = {}
            for index, path in enumerate(pages):
                status, html = fetch(base + path)
                if status != 200:
                    print(f"  {path}: {status}, left out")
                    continue
                names[path] = f"page{index}"
                body = html.replace("{% endverbatim %}", "")
                (templates / f"page{index}.html").write_text(
                    "<!-- {{ title }} {{ nonce }} -->{% verbatim %}" + body + "{% endverbatim %}"
                )
            (tmp / "bare_settings.py").write_text(BARE_SETTINGS % {"templates": str(templates)})
            (tmp / "bare_urls.py").write_text(BARE_URLS)
            bare_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bare_settings", "PYTHONPATH": str(tmp)}
            servers.append(
                gunicorn("django.core.wsgi:get_wsgi_application()", bare_port, bare_env, tmp / "bare.log", tmp)
            )
            if args.uncached:
                servers.append(
                    gunicorn(
                        "openbeat.wsgi", plain_port, {**env, "PUBLIC_PAGE_CACHE": "false"}, tmp / "plain.log", REPO
                    )
                )

            print(
                f"wrk -t2 -c{args.connections} -d{args.seconds}s on 127.0.0.1; gunicorn, 2 sync workers each; "
                f"{len(names)} pages; {os.cpu_count()} CPUs shared by servers and load generator"
            )
            header = f"{'page':44} {'bytes':>7} {'bare/s':>8} {'page/s':>8} {'ratio':>6}"
            print(header + (f" {'uncached/s':>10} {'ratio':>6}" if args.uncached else ""))
            ratios = []
            for path, template in names.items():
                size = len(fetch(base + path)[1].encode())
                bare = wrk(f"http://127.0.0.1:{bare_port}/bare/{template}/", args.seconds, args.connections)
                ours = wrk(base + path, args.seconds, args.connections)
                ratios.append(ours / bare)
                line = f"{path[:44]:44} {size:>7} {bare:>8.0f} {ours:>8.0f} {ours / bare:>6.2f}"
                if args.uncached:
                    plain = wrk(f"http://127.0.0.1:{plain_port}{path}", args.seconds, args.connections)
                    line += f" {plain:>10.0f} {plain / bare:>6.2f}"
                print(line, flush=True)
            print(f"lowest ratio {min(ratios):.2f}, median {sorted(ratios)[len(ratios) // 2]:.2f} (target >= 0.8)")
        finally:
            for server in servers:
                server.terminate()
                server.wait(10)


if __name__ == "__main__":
    main()
