"""Queue a replies-and-mentions fetch per connected social account, and the day's results fetch for accounts not
fetched today; delete done inbox items past their retention. The scheduler runs the same every 10 minutes
(scheduler.jobs); idempotent, so it may overlap."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue social mentions and (daily) results fetches; prune old inbox items (the scheduler: every 10 min)."

    def handle(self, *args: Any, **options: Any) -> None:
        from openbeat.scheduler.jobs import fetch_social_results

        self.stdout.write(fetch_social_results())
