"""Write one dated archive of the database and the private files into BACKUP_DIR, then prune old archives
(openbeat/monitoring/backups.py; docs/operations.md, "Backups and restore"). The scheduler runs it nightly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openbeat.monitoring.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the private files into one archive (encrypted when BACKUP_ENCRYPTION_KEY is set)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output-dir", type=Path, help="Where to write the archive (default: BACKUP_DIR).")
        parser.add_argument("--no-files", action="store_true", help="The database only, without the stored files.")
        parser.add_argument("--no-prune", action="store_true", help="Keep every older archive this time.")

    def handle(self, *args: Any, **options: Any) -> None:
        tty = self.stdout.isatty()

        def progress(message: str) -> None:
            if tty:  # progress on a terminal; cron and the scheduler get the one line at the end
                self.stdout.write(f"  {message}")

        try:
            path = backup_create(
                destination=options["output_dir"],
                include_files=not options["no_files"],
                prune=not options["no_prune"],
                progress=progress,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written: {path}")
