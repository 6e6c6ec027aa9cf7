"""Background work for social posting; each task takes an id and calls a service (services.target_send)."""

from __future__ import annotations

from django.tasks import task


@task()
def target_send_task(target_id: int) -> str:
    from openbeat.social.services import target_send

    return target_send(target_id=target_id)
