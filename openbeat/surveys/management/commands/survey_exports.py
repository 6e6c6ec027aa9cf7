"""Restart survey exports a dead worker left, and delete export files past SURVEYS_EXPORT_RETENTION_DAYS (what the
scheduler's `survey_exports` job does; idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openbeat.surveys.exporting import exports_recover


class Command(BaseCommand):
    help = "Restart stalled survey exports and delete old export files."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = exports_recover()
        self.stdout.write(", ".join(f"{count} {what}" for what, count in counts.items()))
