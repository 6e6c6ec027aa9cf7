import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.tasks import TaskResultStatus
from django.utils import timezone

from openbeat.core.tasks import worker_heartbeat


class Command(BaseCommand):
    help = "Enqueue a heartbeat task and wait for a worker to run it (exit 1 if none does in time)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: Any, timeout: float, **options: Any) -> None:
        result = worker_heartbeat.enqueue(timezone.now().isoformat())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result.refresh()
            if result.status == TaskResultStatus.SUCCESSFUL:
                ran_at = result.return_value["ran_at"]
                self.stdout.write(f"worker OK ({settings.TASKS_BACKEND} backend): ran at {ran_at}")
                return
            if result.status == TaskResultStatus.FAILED:
                raise CommandError(f"the heartbeat task failed: {result.errors}")
            time.sleep(0.2)
        raise CommandError(
            f"no worker ran the heartbeat within {timeout:.0f} s ({settings.TASKS_BACKEND} backend): "
            "is the worker running?"
        )
