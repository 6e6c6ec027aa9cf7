"""Queue the social media posts and inbox replies that are due, and those a dead worker left in posting; prune the
ledger past its retention. The scheduler runs the same every minute (scheduler.jobs); idempotent, so it may overlap."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Queue due social media posts and recover stuck ones (the scheduler does this every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        from openbeat.social.ledger import ledger_prune
        from openbeat.social.replies import replies_dispatch
        from openbeat.social.services import dispatch_due

        self.stdout.write(
            f"{dispatch_due()} queued, {replies_dispatch()} inbox replies queued, "
            f"{ledger_prune()} old ledger entries pruned"
        )
