"""Shared set-up for the backup tests: storage folders per test, archives rewritten to damage them, databases
another process can restore into, and every table's rows to compare."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from openbeat.core.tests.processes import REPO, app_environment


@pytest.fixture
def storage(settings, tmp_path) -> dict[str, Path]:
    """Private storage, media and the backup folder of this test, with a file in each storage root."""
    folders = {name: tmp_path / name for name in ("private", "media", "backups")}
    settings.PRIVATE_STORAGE_ROOT = folders["private"]
    settings.MEDIA_ROOT = folders["media"]
    settings.BACKUP_DIR = folders["backups"]
    settings.BACKUP_ENCRYPTION_KEY = ""
    (folders["private"] / "evidence" / "2026").mkdir(parents=True)
    (folders["private"] / "evidence" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(5000))
    (folders["private"] / "board-reports").mkdir()
    (folders["private"] / "board-reports" / "2026-11.pdf").write_bytes(b"%PDF-1.7 " + os.urandom(3000))
    (folders["media"] / "images").mkdir(parents=True)
    (folders["media"] / "images" / "logo.png").write_bytes(b"\x89PNG " + os.urandom(2000))
    return folders


def storage_empty(settings, tmp_path: Path) -> None:
    """Point storage at new, empty folders (a restore's target)."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "restored-private"
    settings.MEDIA_ROOT = tmp_path / "restored-media"


def rewrite(archive: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """A copy of a plain archive with each member passed through `change` (None drops the member)."""
    copy = archive.with_name("changed-" + archive.name)
    with tarfile.open(archive) as source, tarfile.open(copy, "w") as target:
        for member in source.getmembers():
            handle = source.extractfile(member)
            assert handle is not None
            data = change(member.name, handle.read())
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    return copy


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """A new, empty database beside the test's: its DATABASE_URL and a function opening a DB-API connection to
    it. SQLite: a file that does not exist yet; PostgreSQL: a database made and dropped here."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", lambda: sqlite3.connect(path)
        return
    import psycopg

    s = connection.settings_dict
    name = f"openbeat_backup_restore_{os.getpid()}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    server = f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}", lambda: psycopg.connect(f"{server}/{name}")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def opener(database_url: str) -> Callable[[], Any]:
    if database_url.startswith("sqlite:///"):
        path = database_url.removeprefix("sqlite:///")
        return lambda: sqlite3.connect(path)
    import psycopg

    return lambda: psycopg.connect(database_url)


def table_names(db: Any) -> list[str]:
    if isinstance(db, sqlite3.Connection):
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return sorted(row[0] for row in db.execute(query).fetchall())


def all_rows(open_db: Callable[[], Any]) -> dict[str, list[tuple]]:
    """Every table's rows, as sorted tuples."""
    db = open_db()
    try:
        return {
            table: sorted((tuple(row) for row in db.execute(f'SELECT * FROM "{table}"').fetchall()), key=repr)  # noqa: S608
            for table in table_names(db)
        }
    finally:
        db.close()


def app_env(tmp_path: Path, database_url: str, *, private: Path, media: Path, **extra: str) -> dict[str, str]:
    return app_environment(
        tmp_path,
        database_url,
        PRIVATE_STORAGE_ROOT=str(private),
        MEDIA_ROOT=str(media),
        BACKUP_DIR=str(tmp_path / "backups"),
        TASKS_BACKEND="immediate",
        **extra,
    )
