"""From cron (daily): forget the contact details of reporters whose reports were closed long enough ago."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from openbeat.reports.services import reporter_details_expire


class Command(BaseCommand):
    help = "Blank reporters' names, emails and phone numbers on reports closed more than --days ago."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days after closing (default: REPORTS_CONTACT_RETENTION_DAYS, 365).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.REPORTS_CONTACT_RETENTION_DAYS
        expired = reporter_details_expire(closed_before=timezone.now() - timedelta(days=days))
        self.stdout.write(f"Contact details removed from {expired} report(s) closed more than {days} days ago")
