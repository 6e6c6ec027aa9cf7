"""Background work for social posting; each task takes an id and calls a service (services.target_send)."""

from __future__ import annotations

from django.tasks import task


@task()
def target_send_task(target_id: int) -> str:
    from openbeat.social.services import target_send

    return target_send(target_id=target_id)


@task()
def targets_send_task(target_ids: list[int]) -> dict[str, int]:
    """A batch of targets (services.dispatch_due makes them), posted one after another."""
    from openbeat.social.services import targets_send

    return targets_send(target_ids=target_ids)


@task()
def results_fetch_task(account_id: int, day: str) -> str:
    from datetime import date

    from openbeat.social.results import results_fetch

    return results_fetch(account_id=account_id, day=date.fromisoformat(day))


@task()
def mentions_fetch_task(account_id: int) -> str:
    from openbeat.social.inbox import mentions_fetch

    return mentions_fetch(account_id=account_id)


@task()
def reply_send_task(reply_id: int) -> str:
    """An inbox reply, sent at most once (social.replies.reply_send)."""
    from openbeat.social.replies import reply_send

    return reply_send(reply_id=reply_id)
