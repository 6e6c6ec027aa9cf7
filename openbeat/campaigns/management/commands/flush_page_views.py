"""Move public pages' views counted in the shared cache into the database (the scheduler does it every 5 min)."""

from typing import Any

from django.core.management.base import BaseCommand

from openbeat.campaigns.pageviews import buffer, page_views_flush


class Command(BaseCommand):
    help = "Write the page views counted in the shared cache to the database (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        buffer.push()  # this process's own counts first (none, unless it served pages)
        self.stdout.write(f"{page_views_flush()} page views written")
