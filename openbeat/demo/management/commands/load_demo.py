"""Load the demo force (generated, deterministic, idempotent) and print one staff login per role."""

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from openbeat.areas.models import Division, Postcode
from openbeat.demo.steps import STEPS, demo_context, demo_reset


class Command(BaseCommand):
    help = "Load the demo force: divisions, neighbourhoods, postcodes, stations, officers, staff logins, pages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reset", action="store_true", help="Remove the demo's rows first.")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the staff logins.")

    def handle(self, *args: Any, reset: bool, quiet_logins: bool, **options: Any) -> None:
        started = time.monotonic()
        if reset:
            self.stdout.write(f"removed: {demo_reset()}")
        ctx = demo_context()
        total = len(STEPS)
        for number, (name, step) in enumerate(STEPS, start=1):
            step_started = time.monotonic()
            with transaction.atomic():
                summary = step(ctx)
            self.stdout.write(f"[{number}/{total}] {name}: {summary} ({time.monotonic() - step_started:.1f} s)")
        self.stdout.write(self.style.SUCCESS(f"Demo force loaded in {time.monotonic() - started:.1f} s."))
        if not quiet_logins:
            self._print_logins(ctx.logins)
        self._print_postcodes()

    def _print_logins(self, logins: list[dict[str, str]]) -> None:
        self.stdout.write("\nStaff logins for the back office at http://127.0.0.1:8000/admin/")
        self.stdout.write("(demo passwords: this demo serves only 127.0.0.1; set DEMO_PASSWORD to change them)\n")
        self.stdout.write(f"  {'role':<24} {'username':<14} {'password':<16} division")
        for login in logins:
            self.stdout.write(
                f"  {login['role']:<24} {login['username']:<14} {login['password']:<16} {login['division']}"
            )

    def _print_postcodes(self) -> None:
        self.stdout.write("\nPostcodes to try at http://127.0.0.1:8000/neighbourhoods/ :")
        for division in Division.objects.order_by("name"):
            samples = Postcode.objects.filter(neighbourhood__division=division).order_by("postcode")[:3]
            self.stdout.write(f"  {division.name:<8} " + ", ".join(p.postcode for p in samples))
        outside = Postcode.objects.filter(postcode__startswith="DM99").values_list("postcode", flat=True).first()
        if outside:
            self.stdout.write(f"  outside the force area: {outside}")
