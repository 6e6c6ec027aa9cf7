"""Background work for delivery: one task per batch of ~1,000 deliveries (see outbox.py for the guarantees)."""

from __future__ import annotations

from django.tasks import task


@task()
def deliveries_send(alert_id: int, channel: str, first_id: int, last_id: int) -> dict[str, int]:
    """Send the due deliveries of `alert_id` on `channel` with ids in [first_id, last_id]. Safe to run twice."""
    from openbeat.delivery.outbox import batch_send

    return batch_send(alert_id=alert_id, channel=channel, first_id=first_id, last_id=last_id)


@task()
def outbox_recover_task() -> int:
    """For a scheduler: return deliveries stranded by a dead worker and re-queue stalled alerts."""
    from openbeat.delivery.outbox import outbox_recover

    return outbox_recover()
