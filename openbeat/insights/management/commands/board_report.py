"""Build the board report for a period and write it as HTML, PDF, XLSX or JSON.

manage.py board_report --from 2026-01 --to 2026-03 --format pdf --output board.pdf [--division CODE]
    [--compare within|previous|year|none] [--compare-from YYYY-MM --compare-to YYYY-MM]
    [--group-by group|account] [--threshold PCT]

The same choices as Insights > Board report in the back office.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openbeat.areas.models import Division
from openbeat.core.months import is_month
from openbeat.insights.build import COMPARISONS, GROUPINGS, report_build
from openbeat.insights.render import FORMATS, render_report


def _month(value: str) -> str:
    if not is_month(value):
        raise CommandError(f"{value!r} is not a month: write it as YYYY-MM, e.g. 2026-03.")
    return value


class Command(BaseCommand):
    help = "Write the Strategic Engagement Board report for a period (months, inclusive) to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="period_from", required=True, help="First month, YYYY-MM.")
        parser.add_argument("--to", dest="period_to", required=True, help="Last month, YYYY-MM.")
        parser.add_argument(
            "--format", dest="output_format", choices=FORMATS, help="Default: from the output file's extension."
        )
        parser.add_argument("--output", required=True, help="The file to write; '-' for standard output.")
        parser.add_argument("--division", default="", help="A division's code: the report for that division only.")
        parser.add_argument(
            "--compare",
            choices=COMPARISONS,
            default=None,
            help="within (default): followers and other counts month by month with growth from the period's first "
            "month with figures to its last, other figures against the period before; previous: everything "
            "against the period before; year: against the same months a year earlier; none: no comparison. "
            "With --compare-from/--compare-to the default is previous.",
        )
        parser.add_argument(
            "--compare-from", default=None, help="The comparison's first month (default: the same length just before)."
        )
        parser.add_argument("--compare-to", default=None, help="The comparison's last month.")
        parser.add_argument(
            "--group-by", choices=GROUPINGS, default="group", help="Table rows by reporting group (default) or account."
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="Percent of a channel's reported total by which its accounts' sum may differ before the warning "
            "is major rather than minor (default 1). Every difference is reported.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = _month(options["period_from"]), _month(options["period_to"])
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}.")
        compare = [options["compare_from"], options["compare_to"]]
        if any(compare) and not all(compare):
            raise CommandError("Give both --compare-from and --compare-to, or neither.")
        compare_from, compare_to = (_month(month) for month in compare) if all(compare) else (None, None)
        if compare_from and options["compare"] in ("none", "year"):
            raise CommandError(f"--compare {options['compare']} sets its own months: leave out --compare-from.")
        if options["threshold"] is not None and options["threshold"] < 0:
            raise CommandError("--threshold is a percentage: 0 or more.")
        output = options["output"]
        output_format = options["output_format"] or Path(output).suffix.lstrip(".").lower()
        if output_format not in FORMATS:
            raise CommandError(f"Choose --format: one of {', '.join(FORMATS)}.")
        division = None
        if options["division"]:
            division = Division.objects.filter(code=options["division"]).first()
            if division is None:
                codes = ", ".join(Division.objects.values_list("code", flat=True)) or "none yet"
                raise CommandError(f"No division with code {options['division']!r} (codes: {codes}).")
        report = report_build(
            period_from=first,
            period_to=last,
            division=division,
            compare_from=compare_from,
            compare_to=compare_to,
            comparison=options["compare"],
            grouping=options["group_by"],
            threshold_pct=options["threshold"],
        )
        content = render_report(report, output_format)
        if output == "-":
            sys.stdout.buffer.write(content)
            return
        Path(output).write_bytes(content)
        self.stdout.write(
            f"Wrote the {output_format.upper()} board report for {first} to {last} "
            f"({len(report.warnings)} data-quality warning{'s' if len(report.warnings) != 1 else ''}) to {output}."
        )
