"""Background work for delivery: one task per batch of ~1,000 deliveries (see outbox.py for the guarantees)."""

from __future__ import annotations

from django.tasks import TaskContext, task


@task(takes_context=True)
def deliveries_send(context: TaskContext, alert_id: int, channel: str, first_id: int, last_id: int) -> dict[str, int]:
    """Send the due deliveries of `alert_id` on `channel` with ids in [first_id, last_id]. Safe to run twice.

    The context gives the run's own result id, which the batch keeps on its lease: if this worker dies, the
    sweep marks that result failed instead of leaving it "running"."""
    from openbeat.delivery.outbox import batch_send

    return batch_send(
        alert_id=alert_id,
        channel=channel,
        first_id=first_id,
        last_id=last_id,
        task_result_id=str(context.task_result.id),
    )


@task()
def outbox_recover_task() -> int:
    """For a task backend's own scheduler: the sweep and the slow safety net (outbox.outbox_recover)."""
    from openbeat.delivery.outbox import outbox_recover

    return outbox_recover()


@task()
def reply_answer_send_task(answer_id: int) -> str:
    """Email one staff answer to the resident who replied (feedback.reply_answer_send). Safe to run twice."""
    from openbeat.delivery.feedback import reply_answer_send

    return reply_answer_send(answer_id)
