"""A backup made while the site keeps writing restores, in other processes, into a new database and new storage
with every table's rows and every file as they were at the backup's moment (issue 23). On both databases."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from openbeat.audit.models import AuditEntry
from openbeat.core.releases import previous_release, release_targets
from openbeat.core.tests.processes import REPO, subprocess_database
from openbeat.monitoring import backups
from openbeat.monitoring.backups import backup_create
from openbeat.monitoring.tests.backup_world import all_rows, app_env, empty_database, manage, opener
from openbeat.reports.evidence import evidence_add
from openbeat.reports.tests.evidence_world import upload
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory

AUDIT = AuditEntry._meta.db_table
# A process that keeps writing (an audit entry every few milliseconds) until its stop file appears.
WRITER = """
import time
from pathlib import Path
from openbeat.audit.services import log_action
stop = Path({stop!r})
n = 0
while not stop.exists():
    n += 1
    log_action("test.writer.write", actor=None, data={{"n": n}})
    time.sleep(0.005)
"""


def files_by_checksum(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def audit_count(open_db) -> int:
    db = open_db()
    try:
        return db.execute(f"SELECT count(*) FROM {AUDIT}").fetchone()[0]  # noqa: S608
    finally:
        db.close()


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_while_writes_continue_restores_every_row_and_file_elsewhere(settings, tmp_path):
    private, media = tmp_path / "private", tmp_path / "media"
    settings.PRIVATE_STORAGE_ROOT, settings.MEDIA_ROOT = private, media
    settings.CLAMD_SOCKET = settings.CLAMD_HOST = ""
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    report_type = ReportTypeFactory(slug="backup-evidence", allows_evidence=True, max_evidence_files=3)
    for n in range(3):
        report = ReportFactory(report_type=report_type, reference=f"LC-2026-00010{n}")
        evidence_add(report=report, upload=upload("photo.jpg"), from_reporter=True)
        evidence_add(
            report=report, upload=upload("photo.jpg", b"%PDF-1.4 statement " + str(n).encode()), from_reporter=True
        )
    (media / "original_images").mkdir(parents=True)
    (media / "original_images" / "station.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 4000)
    source_files = {"private": files_by_checksum(private), "media": files_by_checksum(media)}
    assert len(source_files["private"]) == 6

    database_url, _ = subprocess_database(tmp_path)
    live = opener(database_url)
    key = Fernet.generate_key().decode()
    env = app_env(tmp_path, database_url, private=private, media=media, BACKUP_ENCRYPTION_KEY=key)
    before = all_rows(live)
    stop = tmp_path / "stop-writing"
    with (tmp_path / "writer.log").open("w") as log:
        writer = subprocess.Popen(
            [sys.executable, str(REPO / "manage.py"), "shell", "-c", WRITER.format(stop=str(stop))],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while audit_count(live) < len(before[AUDIT]) + 20:  # the writer is writing
            assert writer.poll() is None, (tmp_path / "writer.log").read_text()
            assert time.monotonic() < deadline, "the writer wrote nothing"
            time.sleep(0.1)
        done = manage(env, "backup")
        written = audit_count(live)
        time.sleep(0.5)  # and it writes on after the backup
    finally:
        stop.touch()
        writer.wait(30)
    assert writer.returncode == 0, (tmp_path / "writer.log").read_text()
    after = all_rows(live)
    (archive,) = (tmp_path / "backups").iterdir()
    assert f"Backup written: {archive}" in done.stdout
    assert archive.name.endswith(".tar.enc")

    # What the archive says it holds: a moment in the middle of the writes.
    plain = tmp_path / "plain.tar"
    backups.decrypt_file(archive, plain, key=key)
    with tarfile.open(plain) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        snapshot_copy = None
        if connection.vendor == "sqlite":
            tar.extract("database.sqlite3", path=tmp_path / "snapshot", filter="data")
            snapshot_copy = tmp_path / "snapshot" / "database.sqlite3"
    assert len(before[AUDIT]) + 20 <= manifest["tables"][AUDIT] <= written < len(after[AUDIT])

    restored_private, restored_media = tmp_path / "restored-private", tmp_path / "restored-media"
    with empty_database(tmp_path) as (target_url, open_target):
        target_env = app_env(tmp_path, target_url, private=restored_private, media=restored_media,
                             BACKUP_ENCRYPTION_KEY=key)  # fmt: skip
        result = manage(target_env, "restore", str(archive))
        assert f"Restored {archive.name}" in result.stdout
        assert "migrated forward" not in result.stdout
        assert "database only" not in result.stdout
        restored = all_rows(open_target)
        again = manage(target_env, "restore", str(archive), check=False)

    assert again.returncode != 0
    assert "Not restored: Storage is not empty" in again.stderr
    # The restore's own audit entry is the one row the restored database has beyond the snapshot.
    restore_entries = [row for row in restored[AUDIT] if "monitoring.backup.restore" in row]
    assert len(restore_entries) == 1
    restored[AUDIT].remove(restore_entries[0])
    assert {table: len(rows) for table, rows in restored.items()} == manifest["tables"]
    if snapshot_copy is not None:
        assert restored == all_rows(opener(f"sqlite:///{snapshot_copy}"))  # row for row, every table
    for table, rows in restored.items():
        if table == AUDIT:  # written on: the snapshot is between the rows before and the rows after
            assert set(map(repr, before[AUDIT])) <= set(map(repr, rows)) <= set(map(repr, after[AUDIT]))
        else:  # nothing else was written while the backup ran
            assert rows == before[table] == after[table], table
    assert files_by_checksum(restored_private) == source_files["private"]
    assert files_by_checksum(restored_media) == source_files["media"]
    assert set(manifest["files"]) == {f"files/private/{name}" for name in source_files["private"]} | {
        f"files/media/{name}" for name in source_files["media"]
    }


@pytest.mark.django_db(transaction=True)
def test_an_archive_from_the_previous_release_restores_and_migrates_forward(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT, settings.MEDIA_ROOT = tmp_path / "private", tmp_path / "media"
    settings.BACKUP_DIR, settings.BACKUP_ENCRYPTION_KEY = tmp_path / "backups", ""
    targets = dict(release_targets(previous_release()))
    # One migration behind the release too, so that there is always something to migrate forward by (while the
    # code has nothing newer than the release, before the next one's migrations land).
    targets["scheduler"] = "0001_initial"
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(sorted(targets.items()))
        archive = backup_create(prune=False, include_files=False)  # `backup --no-files`: said on restore
    finally:
        call_command("migrate", verbosity=0)
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["migrations"]["leaves"]["scheduler"] == ["0001_initial"]

    with empty_database(tmp_path) as (target_url, open_target):
        env = app_env(tmp_path, target_url, private=tmp_path / "r-private", media=tmp_path / "r-media")
        result = manage(env, "restore", str(archive))
        db = open_target()
        try:
            applied = set(db.execute("SELECT app, name FROM django_migrations").fetchall())
            job_runs = db.execute("SELECT count(*) FROM scheduler_jobrun").fetchone()[0]
        finally:
            db.close()
    assert "migrated forward by" in result.stdout
    assert "This archive holds the database only (made with --no-files)" in result.stdout
    leaves = MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes()
    assert {tuple(row) for row in leaves} <= {tuple(row) for row in applied}
    assert job_runs == 0  # the table the newer migration makes is there
