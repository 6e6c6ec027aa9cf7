"""From cron: scan evidence still waiting (clamd was down), and clear abandoned journeys (drafts and files)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from openbeat.reports.evidence import evidence_staging_purge
from openbeat.reports.models import ReportDraft
from openbeat.reports.scanning import scan_pending


class Command(BaseCommand):
    help = "Scan evidence files still pending a virus scan, then delete staged uploads of abandoned drafts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=1000, help="Most files to scan in one run.")
        parser.add_argument(
            "--staging-days", type=float, default=31, help="Delete staged uploads older than this (days)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = scan_pending(limit=options["limit"])
        seconds = options["staging_days"] * 24 * 3600
        purged = evidence_staging_purge(older_than_seconds=seconds)
        # A draft holds what a resident typed (personal data): kept as long as its cookie lives, then gone.
        cutoff = timezone.now() - timedelta(seconds=seconds)
        drafts = ReportDraft.objects.filter(updated_at__lt=cutoff).delete()[0]
        summary = ", ".join(f"{state}: {count}" for state, count in sorted(counts.items())) or "nothing pending"
        self.stdout.write(f"Scanned ({summary}); {purged} abandoned staged files and {drafts} old drafts deleted")
