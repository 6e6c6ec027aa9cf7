"""Restore an archive made by `manage.py backup` into an empty database and empty storage, then migrate forward
when the archive is older than this code (openbeat/monitoring/backups.py; docs/operations.md). The key of an
encrypted archive comes from BACKUP_ENCRYPTION_KEY in the environment, never from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openbeat.monitoring.backups import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and empty storage (refuses anything else)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="An openbeat-backup-*.tar or .tar.enc file.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup_restore(
                archive=options["archive"], progress=lambda message: self.stdout.write(f"  {message}")
            )
        except BackupError as exc:
            raise CommandError(f"Not restored: {exc}") from exc
        manifest = done["manifest"]
        self.stdout.write(
            f"Restored {options['archive'].name}: {len(manifest['tables'])} tables, {len(manifest['files'])} files, "
            f"made {manifest['created_at']} by OpenBeat {manifest['versions']['openbeat']}"
            + (f"; migrated forward by {done['migrated']} migrations" if done["migrated"] else "")
        )
        if not manifest.get("files_included", True):  # archives made before the flag held their files
            self.stdout.write(
                self.style.WARNING(
                    "This archive holds the database only (made with --no-files): evidence, imports and board "
                    "reports are not in it. Restore them from the full archive or the files' own backup."
                )
            )
