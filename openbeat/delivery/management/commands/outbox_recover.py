"""By hand, after a crash: finish what dead workers left in the outbox. The scheduler (`manage.py
run_scheduler`) already does this by itself: the lease sweep every DELIVERY_SWEEP_SECONDS and this whole
command every STALE_AFTER, so no cron is needed."""

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
            default=None,
            help=(
                "Seconds without news after which a batch counts as dead: its lease not renewed, or a delivery "
                "with no lease left in 'sending'. Default: a lease once it has expired (DELIVERY_LEASE_SECONDS), "
                f"a delivery without one after {STALE_AFTER.total_seconds():.0f} s. Less than a lease (e.g. 0) "
                "also takes batches that may still be running: use it only when no worker is."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        older_than = options["older_than"]
        recovered = outbox_recover(older_than=None if older_than is None else timedelta(seconds=older_than))
        self.stdout.write(f"{recovered} deliveries returned to the outbox")
