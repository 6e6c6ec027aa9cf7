"""Bring the survey indices' precomputed cells up to date: the months whose responses changed, and the indices with
no figures yet (what the scheduler's `survey_indices` job does; idempotent). `--index ID` recomputes one index
entirely (a backfill)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openbeat.surveys.indices import cells_refresh, cells_refresh_due


class Command(BaseCommand):
    help = "Recompute the survey indices' cells for the months whose responses changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--index", type=int, action="append", default=[], help="Recompute this index entirely.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["index"]:
            for index_id in options["index"]:
                self.stdout.write(f"index {index_id}: {cells_refresh(index_id=index_id)} cells")
            return
        self.stdout.write(cells_refresh_due())
