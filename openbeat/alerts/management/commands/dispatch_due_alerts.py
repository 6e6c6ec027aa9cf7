"""Dispatch every approved alert whose send time has passed. Run it from cron every minute: it is what sends
scheduled alerts on task backends that cannot defer a task, and it retries any dispatch that failed.
Idempotent, so it may overlap with the deferred tasks and with itself."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand

from openbeat.alerts.services import alert_dispatch, alerts_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Dispatch approved alerts whose send time has passed (for cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        due = alerts_due()
        states: dict[str, int] = {}
        for alert_id in due:
            try:
                state = alert_dispatch(alert_id=alert_id).state
            except Exception:  # one failing hand-off must not hold up the others; the next run retries it
                logger.exception("dispatching alert %s failed", alert_id)
                state = "failed"
            states[state] = states.get(state, 0) + 1
        summary = ", ".join(f"{count} {state}" for state, count in sorted(states.items())) or "nothing due"
        self.stdout.write(f"{len(due)} alerts due: {summary}")
