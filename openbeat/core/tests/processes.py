"""Real processes for tests: a database they can open, free ports, gunicorn and nginx started on 127.0.0.1.

Tests that need a behaviour only a real deployment has (several worker processes, a reverse proxy in front)
start these. They run on the test's own database: on PostgreSQL the test database itself (the test must be
transactional so that its rows are committed), on SQLite (whose test database is in memory) a copy in a file.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[3]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def subprocess_database(tmp_path: Path) -> tuple[str, str | None]:
    """A DATABASE_URL another process can open, and the SQLite file (None on PostgreSQL)."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}", None
    path = tmp_path / "subprocess.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    with target:
        connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}", str(path)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the process exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listened on {port} within {timeout} s:\n{log.read_text()[-4000:]}")


def app_environment(tmp_path: Path, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openbeat.settings",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "0",
        "OPENBEAT_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "test-processes-secret-key-not-for-production",
        "DEBUG": "false",
        # Static files from the apps, as the tests' own settings do: no collectstatic for a test.
        "STATIC_MANIFEST": "false",
        "MAIL_BACKEND": "file",
        **extra,
    }


@contextmanager
def _running(command: list[str], *, env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(tmp_path: Path, env: dict[str, str], *, workers: int = 2) -> Iterator[int]:
    """OpenBeat under gunicorn with `workers` processes, as scripts/run.sh serves it; yields its port."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "openbeat.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    with _running(command, env=env, port=port, log=tmp_path / "gunicorn.log"):
        yield port


@contextmanager
def nginx(tmp_path: Path, upstream_port: int) -> Iterator[int]:
    """Debian's nginx in front of `upstream_port`, configured as docs/deployment.md says; yields its port."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run scripts/system-packages.sh (make test and .ci/run do)")
    port = free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(
        (REPO / "docs" / "nginx.conf.example")
        .read_text()
        .replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
        .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
        .replace("/run/openbeat-nginx", str(prefix))
        .replace("include /etc/openbeat/tls.conf;", "")
    )
    command = [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"]
    with _running(command, env=dict(os.environ), port=port, log=prefix / "error.log"):
        yield port
