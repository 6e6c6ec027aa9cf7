"""Send the daily digests that are due (see delivery/digest.py). Run it from cron every 15 minutes: a run
before the digest time sends nothing, a run after it sends each waiting subscriber one email, and a second
run the same day sends nothing more."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from openbeat.delivery.digest import digest_send_due


class Command(BaseCommand):
    help = "Send the daily digests of alerts over subscribers' daily caps (for cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = digest_send_due(now=timezone.now())
        self.stdout.write(f"{sent} digest{'s' if sent != 1 else ''} sent")
