"""Backups (openbeat/monitoring/backups.py): what an archive holds, the restore's refusals, encryption and pruning.
The round trip through real processes is in test_backup_round_trip.py."""

from __future__ import annotations

import hashlib
import json
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from prometheus_client.utils import floatToGoString

from openbeat.audit.models import AuditEntry
from openbeat.monitoring import backups
from openbeat.monitoring.backups import BackupError, backup_create, backup_restore, backups_prune
from openbeat.monitoring.tests import backup_world
from openbeat.monitoring.tests.backup_world import rewrite, storage_empty

# Transactional: a backup holds what is committed, so it is made outside a transaction, as the command makes it.
pytestmark = pytest.mark.django_db(transaction=True)

storage = backup_world.storage


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_archive_holds_the_database_the_files_and_a_manifest_of_them(storage):
    AuditEntry.objects.create(action="test.before.backup", data={})
    archive = backup_create(prune=False)

    assert archive.parent == storage["backups"]
    assert backups.NAME_PATTERN.match(archive.name)
    assert archive.name.endswith(".tar")
    contents = members(archive)
    manifest = json.loads(contents["manifest.json"])
    assert set(contents) == {
        "manifest.json",
        manifest["database"]["file"],
        "files/private/evidence/2026/photo.jpg",
        "files/private/board-reports/2026-11.pdf",
        "files/media/images/logo.png",
    }
    for name, digest in manifest["files"].items():
        root = storage["private"] if name.startswith("files/private/") else storage["media"]
        on_disk = (root / name.split("/", 2)[2]).read_bytes()
        assert digest == sha(on_disk) == sha(contents[name])
    assert manifest["database"]["sha256"] == sha(contents[manifest["database"]["file"]])
    assert set(manifest["versions"]) == {"openbeat", "python", "django", "wagtail"}
    assert manifest["migrations"]["leaves"]["monitoring"] == ["0001_initial"]
    assert "0001_initial" in manifest["migrations"]["applied"]["audit"]
    assert manifest["tables"]["django_migrations"] > 100
    assert manifest["tables"]["wagtailcore_page"] >= 1
    entry = AuditEntry.objects.get(action="monitoring.backup.create")
    assert entry.data == {"archive": archive.name, "tables": len(manifest["tables"]),
                          "rows": sum(manifest["tables"].values()), "files": 3, "files_included": True,
                          "encrypted": False}  # fmt: skip


def test_a_backup_inside_a_transaction_is_refused(storage):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(BackupError, match="inside a database transaction"):
        backup_create(prune=False)


def test_without_files_it_holds_the_database_only_and_says_so(storage, tmp_path):
    archive = backup_create(include_files=False, prune=False)
    manifest = json.loads(members(archive)["manifest.json"])
    assert set(members(archive)) == {"manifest.json", manifest["database"]["file"]}
    assert manifest["files_included"] is False
    whole = backup_create(prune=False, destination=tmp_path / "whole")  # elsewhere: names are by the second
    assert json.loads(members(whole)["manifest.json"])["files_included"] is True


def test_the_command_writes_into_the_folder_it_is_given(storage, tmp_path, capsys):
    call_command("backup", "--output-dir", str(tmp_path / "elsewhere"), "--no-files")
    written = list((tmp_path / "elsewhere").iterdir())
    assert len(written) == 1
    assert backups.NAME_PATTERN.match(written[0].name)
    assert f"Backup written: {written[0]}" in capsys.readouterr().out


def test_restore_refuses_a_database_that_is_not_empty(storage, settings, tmp_path):
    archive = backup_create(prune=False)
    storage_empty(settings, tmp_path)
    with pytest.raises(BackupError, match=r"The database is not empty \(\d+ tables\)"):
        backup_restore(archive=archive)
    assert not (tmp_path / "restored-private").exists()
    with pytest.raises(CommandError, match="Not restored: The database is not empty"):
        call_command("restore", str(archive))


def test_restore_refuses_storage_that_is_not_empty(storage):
    archive = backup_create(prune=False)
    with pytest.raises(BackupError, match="Storage is not empty: PRIVATE_STORAGE_ROOT"):
        backup_restore(archive=archive)


def test_restore_refuses_an_archive_from_a_newer_schema(storage, settings, tmp_path):
    archive = backup_create(prune=False)

    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["applied"]["alerts"].append("0999_from_the_future")
        return json.dumps(manifest).encode()

    storage_empty(settings, tmp_path)
    with pytest.raises(BackupError, match=r"newer OpenBeat .* e\.g\. alerts\.0999_from_the_future\. Upgrade"):
        backup_restore(archive=rewrite(archive, newer))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda name, data: data[:-1] + b"!" if name.endswith("photo.jpg") else data, id="changed-file"),
        pytest.param(lambda name, data: data[:100] if name.startswith("database.") else data, id="cut-dump"),
        pytest.param(lambda name, data: None if name.endswith("logo.png") else data, id="missing-file"),
    ],
)
def test_restore_refuses_a_damaged_archive_before_writing_anything(storage, settings, tmp_path, damage):
    archive = backup_create(prune=False)
    storage_empty(settings, tmp_path)
    with pytest.raises(BackupError, match="damaged"):
        backup_restore(archive=rewrite(archive, damage))
    assert not (tmp_path / "restored-private").exists()


def test_restore_refuses_what_is_not_an_archive(storage, tmp_path):
    junk = tmp_path / "openbeat-backup-20260101T000000Z.tar"
    junk.write_bytes(b"not a tar at all" * 100)
    with pytest.raises(BackupError, match="not a tar file"):
        backup_restore(archive=junk)
    with pytest.raises(BackupError, match="No archive at"):
        backup_restore(archive=tmp_path / "missing.tar")


def test_an_encrypted_archive_reads_back_only_with_its_key(storage, settings, tmp_path):
    key = Fernet.generate_key().decode()
    settings.BACKUP_ENCRYPTION_KEY = key
    archive = backup_create(prune=False)

    assert archive.name.endswith(".tar.enc")
    assert not tarfile.is_tarfile(archive)
    assert b"PDF-1.7" not in archive.read_bytes()
    plain = tmp_path / "plain.tar"
    backups.decrypt_file(archive, plain, key=key)
    manifest = json.loads(members(plain)["manifest.json"])
    with tarfile.open(plain) as tar:
        backups.archive_verify(tar, manifest)  # every checksum matches
    assert AuditEntry.objects.get(action="monitoring.backup.create").data["encrypted"] is True

    storage_empty(settings, tmp_path)
    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(BackupError, match="The archive is encrypted: set BACKUP_ENCRYPTION_KEY"):
        backup_restore(archive=archive)
    settings.BACKUP_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(BackupError, match="not the key the backup was made with"):
        backup_restore(archive=archive)
    settings.BACKUP_ENCRYPTION_KEY = "not a key"
    with pytest.raises(BackupError, match="not a Fernet key"):
        backup_restore(archive=archive)
    # With its key, it gets as far as the (non-empty) test database.
    settings.BACKUP_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{key}"  # a rotated list decrypts too
    with pytest.raises(BackupError, match="The database is not empty"):
        backup_restore(archive=archive)


def test_encryption_streams_in_chunks_and_refuses_a_cut_or_reordered_file(tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "CHUNK", 1000)
    key = Fernet.generate_key().decode()
    source = tmp_path / "source"
    source.write_bytes(bytes(range(256)) * 20)  # 5,120 bytes: six chunks
    encrypted = tmp_path / "encrypted"
    backups.encrypt_file(source, encrypted, key=key)
    back = tmp_path / "back"
    backups.decrypt_file(encrypted, back, key=key)
    assert back.read_bytes() == source.read_bytes()

    data = encrypted.read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(BackupError, match="cut short or altered"):
        backups.decrypt_file(cut, back, key=key)
    # The last chunk dropped cleanly at a token boundary is still noticed: no chunk says it is the last.
    offsets, at = [], len(backups.ENCRYPTED_MAGIC)
    while at < len(data):
        offsets.append(at)
        at += 4 + int.from_bytes(data[at : at + 4], "big")
    cut.write_bytes(data[: offsets[-1]])
    with pytest.raises(BackupError, match="cut short or altered"):
        backups.decrypt_file(cut, back, key=key)
    swapped = data[: offsets[1]] + data[offsets[2] : offsets[3]] + data[offsets[1] : offsets[2]] + data[offsets[3] :]
    cut.write_bytes(swapped)
    with pytest.raises(BackupError, match="cut short or altered"):
        backups.decrypt_file(cut, back, key=key)


def test_an_empty_file_encrypts_and_decrypts(tmp_path):
    key = Fernet.generate_key().decode()
    (tmp_path / "empty").write_bytes(b"")
    backups.encrypt_file(tmp_path / "empty", tmp_path / "enc", key=key)
    backups.decrypt_file(tmp_path / "enc", tmp_path / "back", key=key)
    assert (tmp_path / "back").read_bytes() == b""


def _archives(folder: Path, now: datetime, ages_in_days: list[float]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for age in ages_in_days:
        path = folder / backups.archive_name(now - timedelta(days=age), encrypted=age % 2 == 1)
        path.write_bytes(b"x")
        made.append(path)
    return made


def test_pruning_deletes_archives_past_the_retention_but_keeps_the_newest(tmp_path):
    now = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
    made = _archives(tmp_path, now, [0, 1, 5, 13.9, 14.1, 20, 40])
    (tmp_path / "notes.txt").write_text("not an archive")

    deleted = backups_prune(directory=tmp_path, days=14, keep_min=3, now=now)

    assert sorted(deleted) == sorted(made[4:])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([p.name for p in made[:4]] + ["notes.txt"])


def test_pruning_keeps_the_newest_few_however_old_they_are(tmp_path):
    now = datetime(2026, 12, 7, tzinfo=UTC)
    made = _archives(tmp_path, now, [30, 31, 32, 33, 34])
    deleted = backups_prune(directory=tmp_path, days=14, keep_min=3, now=now)
    assert sorted(deleted) == sorted(made[3:])
    assert backups.backups_list(directory=tmp_path) == made[:3]


def test_each_backup_prunes_by_the_settings(storage, settings):
    settings.BACKUP_RETENTION_DAYS = 1
    settings.BACKUP_KEEP_MIN = 1
    old = _archives(storage["backups"], datetime.now(UTC), [3, 4])
    archive = backup_create(include_files=False)
    assert backups.backups_list() == [archive]
    assert not any(path.exists() for path in old)


def test_metrics_show_when_the_newest_backup_was_made(client, settings, tmp_path):
    settings.MONITORING_TOKEN = token = "monitor-" + "y" * 32
    settings.BACKUP_DIR = tmp_path
    scrape = lambda: client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()  # noqa: E731
    assert "openbeat_backup_last_timestamp_seconds" not in scrape()
    now = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
    _archives(tmp_path, now, [0, 1])
    (tmp_path / (backups.archive_name(now + timedelta(hours=1), encrypted=False) + ".partial")).write_bytes(b"x")
    # The newest complete archive, not the one still being written (".partial").
    assert f"openbeat_backup_last_timestamp_seconds {floatToGoString(now.timestamp())}\n" in scrape()


def test_the_nightly_job_writes_an_archive_and_prunes(storage, settings):
    from openbeat.scheduler.jobs import backup_nightly

    settings.BACKUP_RETENTION_DAYS, settings.BACKUP_KEEP_MIN = 1, 1
    old = _archives(storage["backups"], datetime.now(UTC), [5])
    done = backup_nightly()
    (archive,) = backups.backups_list()
    assert done == f"{archive.name} written"
    assert not old[0].exists()
