"""After a worker crash (or every few minutes from cron): finish what dead workers left in the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openbeat.delivery.outbox import STALE_AFTER, outbox_recover


class Command(BaseCommand):
    help = (
        "Return deliveries stuck in 'sending' (their worker died) to 'created' and re-queue the batches of "
        "stalled alerts. Safe to run at any time: a batch queued twice sends each message once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=float,
            default=STALE_AFTER.total_seconds(),
            help="Seconds a delivery may sit in 'sending' before it counts as stranded (default: %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = outbox_recover(older_than=timedelta(seconds=options["older_than"]))
        self.stdout.write(f"{recovered} deliveries returned to the outbox")
