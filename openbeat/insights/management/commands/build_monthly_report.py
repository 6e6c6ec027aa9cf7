"""Build last month's board report if it is due (for cron: daily or on the 1st), optionally scheduling the task.

manage.py build_monthly_report [--schedule]
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openbeat.insights.report_tasks import monthly_report_run, monthly_report_schedule


class Command(BaseCommand):
    help = "Build last month's board report and email the board a link, unless it is already built or off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also queue the monthly task for the next 1st (task backends that can defer), instead of cron.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        build = monthly_report_run()
        if build is None:
            self.stdout.write("Last month's board report is already built or asked for, or monthly reports are off.")
        else:
            self.stdout.write(f"Asked for the board report for {build.period_from} (build {build.pk}).")
        if options["schedule"]:
            when = monthly_report_schedule()
            self.stdout.write(
                f"Queued the next monthly build for {when:%Y-%m-%d %H:%M %Z}."
                if when
                else "This task backend cannot defer tasks: run this command from cron instead."
            )
