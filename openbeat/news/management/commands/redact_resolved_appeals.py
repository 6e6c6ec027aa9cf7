"""Remove the name and photos of resolved missing person and suspect appeals whose delay has passed (the scheduler
runs the same every few minutes: openbeat.scheduler.jobs)."""

from typing import Any

from django.core.management.base import BaseCommand

from openbeat.news.services import appeals_redact_due


class Command(BaseCommand):
    help = "Remove the name and photos of resolved missing person and suspect appeals whose delay has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{appeals_redact_due()} appeals redacted")
