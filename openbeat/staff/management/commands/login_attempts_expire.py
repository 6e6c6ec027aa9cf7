from typing import Any

from django.core.management.base import BaseCommand

from openbeat.staff.auth import login_attempts_expire


class Command(BaseCommand):
    help = "Forget failed staff sign-ins older than LOGIN_FAILURE_WINDOW_SECONDS (the scheduler runs this daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{login_attempts_expire()} failed sign-in records forgotten.")
