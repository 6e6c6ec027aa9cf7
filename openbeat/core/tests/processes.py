"""Real processes for tests: a database they can open, free ports, gunicorn and nginx started on 127.0.0.1.

Tests that need a behaviour only a real deployment has (several worker processes, a reverse proxy in front)
start these. nginx runs the recipe's own site (deploy/nginx/openbeat.conf) with TLS, and `unit_command` reads
the command lines of the recipe's systemd units (deploy/systemd/), so what is tested is what is deployed.
They run on the test's own database: on PostgreSQL the test database itself (the test must be transactional
so that its rows are committed), on SQLite (whose test database is in memory) a copy in a file.
"""

from __future__ import annotations

import configparser
import datetime
import http.client
import ipaddress
import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

REPO = Path(__file__).resolve().parents[3]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY = REPO / "deploy"
# The recipe's paths and addresses, replaced by the test's own.
RECIPE_VENV = "/srv/openbeat/.venv/bin/"
RECIPE_VAR = "/var/lib/openbeat"
RECIPE_BIND = "127.0.0.1:8000"


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


def unit_command(unit: str, *, bind: str | None = None, instance: str = "1") -> list[str]:
    """The ExecStart of one of the recipe's systemd units, run by this interpreter from this checkout:
    /srv/openbeat/.venv/bin/python is sys.executable, a console script is `python -m <name>`, the gunicorn
    address is `bind`, and the specifiers %H / %i are this host / `instance`."""
    parser = configparser.RawConfigParser(strict=False, comment_prefixes=("#",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "systemd" / unit).read_text())
    words = shlex.split(parser["Service"]["ExecStart"])
    program = words.pop(0)
    assert program.startswith(RECIPE_VENV), program
    name = program.removeprefix(RECIPE_VENV)
    command = [sys.executable] if name == "python" else [sys.executable, "-m", name]
    for word in words:
        if bind is not None and word == RECIPE_BIND:
            word = bind
        command.append(word.replace("%H", socket.gethostname()).replace("%i", instance))
    if bind is not None:
        assert bind in command, f"{unit} binds no {RECIPE_BIND}"
    if nice := parser["Service"].get("Nice"):  # as systemd would: the unit's priority, not the caller's
        command = ["nice", "-n", nice, *command]
    return command


@contextmanager
def _running(command: list[str], *, env: dict[str, str], port: int | None, log: Path) -> Iterator[subprocess.Popen]:
    """`command` running (listening on `port`, if given) until the block ends; then SIGTERM, and SIGKILL after
    10 s."""
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        if port is not None:
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
def running(
    command: list[str], *, env: dict[str, str], log: Path, ready: str | None = None, timeout: float = 240
) -> Iterator[subprocess.Popen]:
    """A process that listens on nothing (a task worker, the scheduler), started from the checkout; with
    `ready`, once that text is in its log (on a busy machine a worker takes a while to load the project)."""
    with _running(command, env=env, port=None, log=log) as process:
        deadline = time.monotonic() + timeout
        while ready is not None and ready not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{command[1:4]} did not log {ready!r}:\n{log.read_text()[-4000:]}")
            time.sleep(0.2)
        yield process


@contextmanager
def gunicorn(tmp_path: Path, env: dict[str, str], *, workers: int = 2) -> Iterator[int]:
    """OpenBeat under gunicorn with `workers` processes, as scripts/run.sh serves it; yields its port once it
    serves (the port opens before the workers have loaded the project)."""
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
    with _running(command, env=env, port=port, log=tmp_path / "gunicorn.log") as process:
        wait_until_serving(port, process, tmp_path / "gunicorn.log")
        yield port


@contextmanager
def recipe_gunicorn(tmp_path: Path, env: dict[str, str], *, log: str = "gunicorn.log") -> Iterator[int]:
    """gunicorn as deploy/systemd/openbeat-web.service starts it, on a free port; yields the port."""
    port = free_port()
    command = unit_command("openbeat-web.service", bind=f"127.0.0.1:{port}")
    with _running(command, env=env, port=port, log=tmp_path / log) as process:
        wait_until_serving(port, process, tmp_path / log)
        yield port


def wait_until_serving(port: int, process: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    """Until /healthz answers 200 (every worker process has booted and loaded the project, on a busy machine
    well after the port opens), so a test's first request through a proxy does not meet the proxy's timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the process exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1", "X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.5)
    raise AssertionError(f"/healthz did not answer 200 within {timeout} s:\n{log.read_text()[-4000:]}")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, written into `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass(frozen=True)
class Proxy:
    """The recipe's nginx on 127.0.0.1: HTTPS on `port`, the plain-HTTP redirect on `http_port`; `cert` is
    its self-signed certificate (a CA file for clients)."""

    port: int
    http_port: int
    cert: Path


def recipe_site(*, port: int, http_port: int, upstream: str, cert: Path, key: Path, var_dir: Path) -> str:
    """deploy/nginx/openbeat.conf with only its ports, upstream, certificate and var directory replaced (IPv6
    listeners dropped). Each replaced text must be in the recipe, so a recipe that changes fails loudly here."""
    site = (DEPLOY / "nginx" / "openbeat.conf").read_text()
    for old, new in [
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;"),
        (f"server {RECIPE_BIND};", f"server {upstream};"),
        ("/etc/ssl/openbeat/fullchain.pem", str(cert)),
        ("/etc/ssl/openbeat/privkey.pem", str(key)),
        (RECIPE_VAR, str(var_dir)),
        ("/var/log/nginx/openbeat-access.log", str(var_dir / "nginx-access.log")),
    ]:
        assert old in site, f"deploy/nginx/openbeat.conf no longer has {old!r}"
        site = site.replace(old, new)
    return site


@contextmanager
def nginx(
    tmp_path: Path,
    upstream_port: int,
    *,
    port: int | None = None,
    var_dir: Path | None = None,
    worker_connections: int = 1024,
) -> Iterator[Proxy]:
    """Debian's nginx serving the recipe's site (deploy/nginx/openbeat.conf, TLS with a self-signed
    certificate) in front of `upstream_port`, inside a main configuration like Debian's own; yields its ports."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run scripts/system-packages.sh (make test and .ci/run do)")
    port, http_port = port or free_port(), free_port()
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    cert, key = self_signed_certificate(prefix / "tls")
    site = prefix / "openbeat.conf"
    site.write_text(
        recipe_site(
            port=port,
            http_port=http_port,
            upstream=f"127.0.0.1:{upstream_port}",
            cert=cert,
            key=key,
            var_dir=var_dir or tmp_path,
        )
    )
    conf = prefix / "nginx.conf"
    # What Debian's /etc/nginx/nginx.conf gives a site: mime types, sendfile; here with paths a test may write.
    # Started as root, nginx's workers would run as nobody, who cannot read the test's private tmp_path (in
    # production they are www-data, in MEDIA_ROOT's group): as the test's own user here.
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""
    )
    command = [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf), "-g", "daemon off;"]
    # nginx opens every listener before it serves any: the HTTPS port answering means both do.
    with _running(command, env=dict(os.environ), port=port, log=prefix / "stderr.log"):
        yield Proxy(port=port, http_port=http_port, cert=cert)
