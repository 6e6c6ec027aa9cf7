"""Backups that restore: one dated archive of the database and the private files, and its restore drill.

`backup_create` writes `openbeat-backup-YYYYMMDDTHHMMSSZ.tar` (`.tar.enc` when BACKUP_ENCRYPTION_KEY is set) into
BACKUP_DIR. The archive holds:

- `database.sqlite3` (SQLite: the online backup API, one step under a read lock, so a consistent copy while the
  site keeps writing) or `database.pgdump` (PostgreSQL: `pg_dump --format=custom` on a snapshot exported from a
  REPEATABLE READ transaction, the same snapshot the row counts are taken in);
- `files/private/...` and `files/media/...`: PRIVATE_STORAGE_ROOT (evidence, imports, board reports) and MEDIA_ROOT;
- `manifest.json` (last): versions, the database's vendor, its applied migrations per app (all of them, and each
  app's leaves), the row count of every table in the snapshot, and the sha256 of the dump and of every file.

Encryption streams: the tar is cut into 1 MiB chunks, each a Fernet token (AES-128-CBC with HMAC-SHA256) of its
index, a last-chunk flag and the data, so a reordered, truncated or extended file is refused and memory stays
at a chunk whatever the size.

`backup_restore` restores an archive into an empty database and empty storage only. It refuses, before writing
anything, an archive it cannot decrypt, whose checksums do not match, made by a newer OpenBeat (a migration this
code does not know), made on another database vendor, or a target that is not empty; then it restores the
database, checks its row counts against the manifest, extracts the files (verifying each checksum again), and
migrates forward when the archive is older than the code.

`backups_prune` deletes archives older than BACKUP_RETENTION_DAYS, always keeping the BACKUP_KEEP_MIN newest.

Nothing here logs personal data: the audit entries and messages name archives, counts and tables, never rows.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
NAME_PATTERN = re.compile(r"^openbeat-backup-(\d{8}T\d{6}Z)\.tar(\.enc)?$")
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
MANIFEST = "manifest.json"
SQLITE_DUMP = "database.sqlite3"
POSTGRES_DUMP = "database.pgdump"
# Where each storage root goes inside the archive, by setting name.
STORAGE_ROOTS = {"private": "PRIVATE_STORAGE_ROOT", "media": "MEDIA_ROOT"}
ENCRYPTED_MAGIC = b"OPENBEAT-BACKUP-FERNET-1\n"
CHUNK = 1024 * 1024
_COPY = 64 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with a message an operator can act on."""


# Archives and their names


def archive_name(moment: datetime, *, encrypted: bool) -> str:
    return f"openbeat-backup-{moment.astimezone(UTC).strftime(STAMP_FORMAT)}.tar" + (".enc" if encrypted else "")


def archive_time(path: Path) -> datetime | None:
    """When an archive was made, from its name; None for anything that is not one of ours."""
    match = NAME_PATTERN.match(path.name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), STAMP_FORMAT).replace(tzinfo=UTC)


def backups_list(*, directory: Path | None = None) -> list[Path]:
    """The archives in BACKUP_DIR (or `directory`), newest first."""
    folder = Path(directory or settings.BACKUP_DIR)
    if not folder.is_dir():
        return []
    found = [(moment, path) for path in folder.iterdir() if (moment := archive_time(path)) is not None]
    return [path for _, path in sorted(found, reverse=True)]


def backup_last_time(*, directory: Path | None = None) -> datetime | None:
    """The time of the newest archive (for /metrics)."""
    archives = backups_list(directory=directory)
    return archive_time(archives[0]) if archives else None


def backups_prune(
    *,
    directory: Path | None = None,
    days: int | None = None,
    keep_min: int | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Delete archives older than `days` (BACKUP_RETENTION_DAYS), keeping the `keep_min` (BACKUP_KEEP_MIN) newest
    whatever their age; returns those deleted."""
    days = settings.BACKUP_RETENTION_DAYS if days is None else days
    keep_min = settings.BACKUP_KEEP_MIN if keep_min is None else keep_min
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted = []
    for path in backups_list(directory=directory)[max(keep_min, 0) :]:
        moment = archive_time(path)
        if moment is not None and moment < cutoff:
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted


# Versions and migrations


def openbeat_version() -> str:
    """`git describe` of the checkout when it is one, else the installed package's version."""
    base = Path(settings.BASE_DIR)
    if (base / ".git").exists() and shutil.which("git"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            described = subprocess.run(  # noqa: S603 (fixed arguments)
                ["git", "-C", str(base), "describe", "--always", "--tags", "--dirty"],  # noqa: S607
                capture_output=True,
                text=True,
                timeout=10,
                check=True,
            ).stdout.strip()
            if described:
                return described
    try:
        return importlib.metadata.version("openbeat")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _versions() -> dict[str, str]:
    import django
    import wagtail

    return {
        "openbeat": openbeat_version(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
    }


def _migrations_summary(applied: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Applied migrations per app, and each app's leaves among them (by the graph this code has)."""
    by_app: dict[str, list[str]] = {}
    for app, name in applied:
        by_app.setdefault(app, []).append(name)
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    applied_set = set(applied)
    leaves: dict[str, list[str]] = {}
    for app, names in by_app.items():
        leaves[app] = sorted(
            name
            for name in names
            if (app, name) not in graph.nodes
            or not any(child in applied_set for child in graph.node_map[(app, name)].children if child[0] == app)
        )
    return {"applied": {app: sorted(names) for app, names in sorted(by_app.items())}, "leaves": leaves}


# Hashing


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_COPY):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    """Reads a file for tarfile, hashing exactly what went into the archive."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


# The database: dump with row counts from the same snapshot, and restore


def _postgres_env() -> dict[str, str]:
    """libpq's environment for the default database; the password goes here, never on a command line."""
    s = connection.settings_dict
    env = {**os.environ}
    for key, value in (
        ("PGHOST", s.get("HOST") or "127.0.0.1"),
        ("PGPORT", str(s.get("PORT") or "5432")),
        ("PGUSER", s.get("USER") or ""),
        ("PGPASSWORD", s.get("PASSWORD") or ""),
        ("PGDATABASE", s["NAME"]),
    ):
        if value:
            env[key] = value
        else:
            env.pop(key, None)
    return env


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_dump(target: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # pages=-1: one step under a read lock, so the copy is one consistent moment however busy the site is.
        connection.connection.backup(copy, pages=-1)
    finally:
        copy.close()
    return _sqlite_counts(target)


def _sqlite_counts(path: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            table: db.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]  # noqa: S608 (quoted names)
            for table in tables
        }
        applied: list[tuple[str, str]] = []
        if "django_migrations" in tables:
            applied = [(app, name) for app, name in db.execute("SELECT app, name FROM django_migrations")]
    finally:
        db.close()
    return counts, applied


def _postgres_dump(target: Path) -> tuple[dict[str, int], list[tuple[str, str]]]:
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=False) as snapshot_db:
        with snapshot_db.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
            assert row is not None
            snapshot = str(row[0])
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
            tables = [name for (name,) in cursor.fetchall()]
            # pg_dump reads the same snapshot while this transaction stays open.
            result = subprocess.run(  # noqa: S603 (fixed arguments; the password in the environment)
                ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}", f"--file={target}"],  # noqa: S607
                env=_postgres_env(),
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()[-500:]}")
            counts = {}
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 (a table name, quoted)
                counted = cursor.fetchone()
                counts[table] = int(counted[0]) if counted else 0
            applied: list[tuple[str, str]] = []
            if "django_migrations" in tables:
                cursor.execute("SELECT app, name FROM django_migrations")
                applied = [(str(app), str(name)) for app, name in cursor.fetchall()]
        snapshot_db.rollback()
    return counts, applied


def _database_tables() -> dict[str, int]:
    """The target database's tables and their row counts."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _restore_database(vendor: str, dump: Path) -> None:
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
        try:
            source.backup(connection.connection, pages=-1)
        finally:
            source.close()
        return
    connection.close()
    name = connection.settings_dict["NAME"]
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", name, str(dump)]
    result = subprocess.run(  # noqa: S603 (fixed arguments; the password in the environment)
        command,
        env=_postgres_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[-500:]}")


# Encryption


def _fernet(key: str) -> MultiFernet:
    keys = [part.strip() for part in key.split(",") if part.strip()]
    try:
        return MultiFernet([Fernet(part.encode("ascii")) for part in keys])
    except (ValueError, UnicodeEncodeError) as exc:
        raise BackupError("BACKUP_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded bytes)") from exc


def encrypt_file(source: Path, target: Path, *, key: str) -> None:
    """`source` encrypted into `target`, a chunk at a time."""
    fernet = _fernet(key)
    size = source.stat().st_size
    with source.open("rb") as inp, target.open("wb") as out:
        out.write(ENCRYPTED_MAGIC)
        index = 0
        done = 0
        while True:
            data = inp.read(CHUNK)
            done += len(data)
            last = done >= size
            token = fernet.encrypt(index.to_bytes(8, "big") + (b"\x01" if last else b"\x00") + data)
            out.write(len(token).to_bytes(4, "big") + token)
            index += 1
            if last:
                break


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(ENCRYPTED_MAGIC)) == ENCRYPTED_MAGIC


def decrypt_file(source: Path, target: Path, *, key: str) -> None:
    """The tar `encrypt_file` was given; BackupError when the key is wrong or the file damaged."""
    fernet = _fernet(key)
    damaged = "The archive is damaged (cut short or altered): use another copy"
    with source.open("rb") as inp, target.open("wb") as out:
        if inp.read(len(ENCRYPTED_MAGIC)) != ENCRYPTED_MAGIC:
            raise BackupError("The archive is not an encrypted OpenBeat backup")
        index = 0
        while True:
            header = inp.read(4)
            if len(header) < 4:
                raise BackupError(damaged)
            token = inp.read(int.from_bytes(header, "big"))
            try:
                plain = fernet.decrypt(token)
            except InvalidToken as exc:
                if index == 0:
                    raise BackupError(
                        "The archive cannot be decrypted with BACKUP_ENCRYPTION_KEY: it is not the key the "
                        "backup was made with (or the archive is damaged)"
                    ) from exc
                raise BackupError(damaged) from exc
            if int.from_bytes(plain[:8], "big") != index:
                raise BackupError(damaged)
            out.write(plain[9:])
            index += 1
            if plain[8:9] == b"\x01":
                break
        if inp.read(1):
            raise BackupError(damaged)


# Backup


def _storage_files(root: Path, *, skip: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        here = Path(folder)
        if here == skip or skip in here.parents:
            dirs.clear()
            continue
        for name in sorted(names):
            path = here / name
            if path.is_file() and not path.is_symlink():
                yield path


def backup_create(
    *,
    destination: Path | None = None,
    include_files: bool = True,
    key: str | None = None,
    prune: bool = True,
    progress: Progress | None = None,
) -> Path:
    """Write one archive of the database and the private files into `destination` (BACKUP_DIR); returns it.

    `key` defaults to BACKUP_ENCRYPTION_KEY (empty: not encrypted). Archives past the retention are pruned after.
    """
    from openbeat.audit.services import log_action

    say = progress or (lambda message: None)
    folder = Path(destination or settings.BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    key = settings.BACKUP_ENCRYPTION_KEY if key is None else key
    if key:
        _fernet(key)  # a malformed key fails before the work, not after it
    now = timezone.now()
    final = folder / archive_name(now, encrypted=bool(key))
    if final.exists():
        raise BackupError(f"{final.name} already exists: wait a second and run the backup again")
    if connection.in_atomic_block:
        # A backup holds what is committed (and SQLite's copy would wait for this very transaction forever).
        raise BackupError("A backup cannot be made inside a database transaction: call it outside one")
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}")

    with tempfile.TemporaryDirectory(prefix=".openbeat-backup-", dir=folder) as work:
        staging = Path(work)
        dump_name = SQLITE_DUMP if vendor == "sqlite" else POSTGRES_DUMP
        dump = staging / dump_name
        say("Copying the database")
        counts, applied = _sqlite_dump(dump) if vendor == "sqlite" else _postgres_dump(dump)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": now.astimezone(UTC).isoformat(),
            "versions": _versions(),
            "database": {
                "vendor": vendor,
                "file": dump_name,
                "size": dump.stat().st_size,
                "sha256": _sha256_file(dump),
            },
            "migrations": _migrations_summary(applied),
            "tables": counts,
            # False for `backup --no-files`: said on restore, so nobody takes it for the whole site.
            "files_included": include_files,
            "files": {},
        }
        tar_path = staging / "archive.tar"
        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
            tar.add(dump, arcname=dump_name)
            if include_files:
                for label, setting in STORAGE_ROOTS.items():
                    root = Path(getattr(settings, setting))
                    files = list(_storage_files(root, skip=folder))
                    for number, path in enumerate(files, 1):
                        arcname = f"files/{label}/{path.relative_to(root).as_posix()}"
                        try:
                            with path.open("rb") as handle:
                                info = tar.gettarinfo(arcname=arcname, fileobj=handle)
                                reader = _HashingReader(handle)
                                tar.addfile(info, reader)  # type: ignore[arg-type]
                        except FileNotFoundError:
                            continue  # deleted while the backup ran (a purged draft's upload): not part of it
                        manifest["files"][arcname] = reader.digest.hexdigest()
                        if number % 100 == 0 or number == len(files):
                            say(f"Archived {number} of {len(files)} {label} files")
            body = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(now.timestamp())
            tar.addfile(info, io.BytesIO(body))
        partial = folder / (final.name + ".partial")
        if key:
            say("Encrypting the archive")
            encrypt_file(tar_path, partial, key=key)
        else:
            tar_path.replace(partial)
        partial.replace(final)

    log_action(
        "monitoring.backup.create",
        actor=None,
        data={
            "archive": final.name,
            "tables": len(counts),
            "rows": sum(counts.values()),
            "files": len(manifest["files"]),
            "files_included": include_files,
            "encrypted": bool(key),
        },
    )
    if prune:
        for path in backups_prune(directory=folder):
            say(f"Pruned {path.name}")
    return final


# Restore


def _member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"The archive holds an unsafe path ({name}): refusing it")
    return path


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
        handle = tar.extractfile(member)
        assert handle is not None
        manifest: dict[str, Any] = json.loads(handle.read())
    except (KeyError, AssertionError, ValueError) as exc:
        raise BackupError("The archive has no readable manifest.json: it is not a complete OpenBeat backup") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"The archive's format ({manifest.get('format')}) is not one this OpenBeat reads")
    return manifest


def _member_digest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"{member.name} in the archive is not a file")
    digest = hashlib.sha256()
    while block := handle.read(_COPY):
        digest.update(block)
    return digest.hexdigest()


def archive_verify(tar: tarfile.TarFile, manifest: dict[str, Any]) -> None:
    """Every member's checksum against the manifest, and nothing missing or extra."""
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"], **manifest["files"]}
    seen = set()
    for member in tar.getmembers():
        if member.name == MANIFEST:
            continue
        _member_path(member.name)
        if member.name not in expected:
            raise BackupError(f"The archive holds {member.name}, which its manifest does not list: refusing it")
        if _member_digest(tar, member) != expected[member.name]:
            raise BackupError(f"{member.name} does not match its checksum: the archive is damaged, use another copy")
        seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"The archive lacks {len(missing)} listed file(s), e.g. {missing[0]}: it is damaged")


def _unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"]["applied"].items()
        for name in names
        if (app, name) not in known
    )


def _storage_in_use() -> list[str]:
    used = []
    for setting in STORAGE_ROOTS.values():
        root = Path(getattr(settings, setting))
        if root.is_dir() and any(path.is_file() for path in root.rglob("*")):
            used.append(f"{setting} ({root})")
    return used


def _database_in_use(tables: dict[str, int]) -> bool:
    """Empty: no tables at all, or only an empty django_migrations (what `migrate` makes before its first step)."""
    return any(name != "django_migrations" or rows for name, rows in tables.items())


@contextlib.contextmanager
def _opened(archive: Path, key: str) -> Iterator[tarfile.TarFile]:
    if not archive.is_file():
        raise BackupError(f"No archive at {archive}")
    with tempfile.TemporaryDirectory(prefix=".openbeat-restore-", dir=Path(settings.VAR_DIR)) as work:
        tar_path = archive
        if is_encrypted(archive):
            if not key:
                raise BackupError(
                    "The archive is encrypted: set BACKUP_ENCRYPTION_KEY to the key the backup was made with"
                )
            tar_path = Path(work) / "archive.tar"
            decrypt_file(archive, tar_path, key=key)
        try:
            tar = tarfile.open(tar_path, "r:*")  # noqa: SIM115 (closed below, after the caller's work)
        except tarfile.TarError as exc:
            raise BackupError("The archive is not a tar file: it is damaged, or not an OpenBeat backup") from exc
        with tar:
            yield tar


def backup_restore(*, archive: Path, key: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Restore `archive` into the (empty) database and storage; returns what was done.

    Refuses, with a BackupError and before writing anything: an archive it cannot decrypt or whose checksums do not
    match, one from a newer OpenBeat or another database vendor, and a database or storage that is not empty.
    """
    from openbeat.audit.services import log_action

    say = progress or (lambda message: None)
    key = settings.BACKUP_ENCRYPTION_KEY if key is None else key
    with _opened(Path(archive), key) as tar:
        manifest = _read_manifest(tar)
        say("Checking the archive's checksums")
        try:
            archive_verify(tar, manifest)
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError("The archive cannot be read to the end: it is damaged, use another copy") from exc
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupError(
                f"The archive was made by a newer OpenBeat ({manifest['versions']['openbeat']}): its database has "
                f"{len(unknown)} migration(s) this code does not know, e.g. {unknown[0]}. Upgrade OpenBeat first."
            )
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(
                f"The archive holds a {vendor} database and this OpenBeat uses {connection.vendor}: restore it "
                f"into {vendor}"
            )
        used = _storage_in_use()
        if used:
            raise BackupError(f"Storage is not empty: {', '.join(used)}. Restore only into empty storage.")
        tables = _database_tables()
        if _database_in_use(tables):
            raise BackupError(
                f"The database is not empty ({len(tables)} tables): restore only into a new, empty database"
            )

        with tempfile.TemporaryDirectory(prefix=".openbeat-restore-", dir=Path(settings.VAR_DIR)) as work:
            dump = Path(work) / manifest["database"]["file"]
            say("Restoring the database")
            tar.extract(manifest["database"]["file"], path=work, filter="data")
            if _sha256_file(dump) != manifest["database"]["sha256"]:
                raise BackupError("The database dump changed while extracting it: check the disk")
            if tables:  # an empty django_migrations, which the dump brings back with its rows
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP TABLE {connection.ops.quote_name('django_migrations')}")
            _restore_database(vendor, dump)
        restored = _database_tables()
        wrong = sorted(table for table, rows in manifest["tables"].items() if restored.get(table) != rows)
        if wrong:
            raise BackupError(
                f"{len(wrong)} table(s) do not hold the rows the manifest counts, e.g. {wrong[0]}: the restore failed"
            )

        say(f"Restoring {len(manifest['files'])} files")
        for name, digest in manifest["files"].items():
            parts = _member_path(name).parts
            label, relative = parts[1], parts[2:]
            target = Path(getattr(settings, STORAGE_ROOTS[label])).joinpath(*relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(name)
            assert source is not None
            with target.open("wb") as out:
                shutil.copyfileobj(source, out, _COPY)
            if _sha256_file(target) != digest:
                raise BackupError(f"{name} changed while extracting it: check the disk")

    connections.close_all()
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        from django.core.management import call_command

        say(f"Migrating forward ({len(pending)} migrations newer than the archive)")
        call_command("migrate", interactive=False, verbosity=0)
    log_action(
        "monitoring.backup.restore",
        actor=None,
        data={
            "archive": Path(archive).name,
            "created_at": manifest["created_at"],
            "openbeat": manifest["versions"]["openbeat"],
            "tables": len(manifest["tables"]),
            "files": len(manifest["files"]),
            "migrated": len(pending),
        },
    )
    return {"manifest": manifest, "migrated": len(pending)}
