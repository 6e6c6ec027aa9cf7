"""Load the demo force (generated, deterministic, idempotent) and print one staff login per role.

The demo changes and deletes only rows it made itself (openbeat/demo/registry.py). It still will not run on a
database that holds a force's own data unless told to with --allow-real-data: demo subscribers, reports and
logins beside real ones are a mess to explain, even when nothing real is touched.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from openbeat.areas.models import Postcode
from openbeat.demo.registry import demo_foreign_rows, demo_prune
from openbeat.demo.steps import STEPS, demo_context, demo_divisions, demo_reset


class Command(BaseCommand):
    help = "Load the demo force: divisions, neighbourhoods, postcodes, stations, officers, staff logins, pages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Remove the demo's own rows first, then load it again. Rows the demo did not make are never "
            "removed, nor are demo rows they still use.",
        )
        parser.add_argument(
            "--remove", action="store_true", help="Remove the demo's own rows (as --reset does) and load nothing."
        )
        parser.add_argument(
            "--allow-real-data",
            action="store_true",
            help="Run even though the database holds rows the demo did not make (a force's own data). The demo "
            "still changes and removes only its own rows.",
        )
        parser.add_argument(
            "--skip-if-real-data",
            action="store_true",
            help="When the database holds rows the demo did not make, say so and load nothing, without failing "
            "(what `make run` does).",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the staff logins.")

    def handle(
        self,
        *args: Any,
        reset: bool,
        remove: bool,
        allow_real_data: bool,
        skip_if_real_data: bool,
        quiet_logins: bool,
        **options: Any,
    ) -> None:
        started = time.monotonic()
        demo_prune()
        found = demo_foreign_rows()
        if found and not allow_real_data:
            message = self._refusal(found)
            if skip_if_real_data:
                self.stdout.write(self.style.WARNING(f"The demo was not loaded. {message}"))
                return
            raise CommandError(message)
        if found:
            self.stdout.write(
                self.style.WARNING(f"Rows the demo did not make ({_counts(found)}) are left exactly as they are.")
            )
        if reset or remove:
            with transaction.atomic():
                result = demo_reset()
            self.stdout.write(f"removed: {result['removed']}")
            if result["kept"]:
                self.stdout.write(f"kept, as rows the demo did not make still use them: {result['kept']}")
            if remove:
                return
        ctx = demo_context()
        total = len(STEPS)
        for number, (name, step) in enumerate(STEPS, start=1):
            step_started = time.monotonic()
            with transaction.atomic():
                summary = step(ctx)
            self.stdout.write(f"[{number}/{total}] {name}: {summary} ({time.monotonic() - step_started:.1f} s)")
        self.stdout.write(self.style.SUCCESS(f"Demo force loaded in {time.monotonic() - started:.1f} s."))
        if not quiet_logins:
            self._print_logins(ctx.logins, ctx.skipped_logins)
        self._print_postcodes()

    def _refusal(self, found: dict[str, int]) -> str:
        return (
            f"This database holds rows the demo did not make ({_counts(found)}): a force's own data, or things made "
            "while trying the demo. load_demo leaves them alone. To run anyway, add --allow-real-data: the demo "
            "then changes and removes "
            "only rows it made itself, and leaves out any login whose name an existing account has. If the "
            "database holds nothing but a demo loaded before the demo kept a record of its rows, start again from "
            "an empty database instead."
        )

    def _print_logins(self, logins: list[dict[str, str]], skipped: list[str]) -> None:
        self.stdout.write("\nStaff logins for the back office at http://127.0.0.1:8000/admin/")
        self.stdout.write("(demo passwords: this demo serves only 127.0.0.1; set DEMO_PASSWORD to change them)\n")
        self.stdout.write(f"  {'role':<24} {'username':<14} {'password':<16} division")
        for login in logins:
            self.stdout.write(
                f"  {login['role']:<24} {login['username']:<14} {login['password']:<16} {login['division']}"
            )
        if skipped:
            self.stdout.write(
                f"  Not demo logins: {', '.join(skipped)} (accounts the demo did not make, left exactly as they are)"
            )

    def _print_postcodes(self) -> None:
        self.stdout.write("\nPostcodes to try at http://127.0.0.1:8000/neighbourhoods/ :")
        for division in sorted(demo_divisions().values(), key=lambda d: d.name):
            samples = Postcode.objects.filter(neighbourhood__division=division).order_by("postcode")[:3]
            self.stdout.write(f"  {division.name:<8} " + ", ".join(p.postcode for p in samples))
        outside = Postcode.objects.filter(postcode__startswith="DM99").values_list("postcode", flat=True).first()
        if outside:
            self.stdout.write(f"  outside the force area: {outside}")


def _counts(found: dict[str, int]) -> str:
    return ", ".join(f"{kind}: {count}" for kind, count in found.items())
