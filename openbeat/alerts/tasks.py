"""Background work for alerts; each task takes an id and calls a service (see services.alert_dispatch)."""

from __future__ import annotations

from django.tasks import task

from openbeat.alerts.models import Alert


@task()
def alert_dispatch_task(alert_id: int) -> str:
    from openbeat.alerts.services import alert_dispatch

    try:
        return alert_dispatch(alert_id=alert_id).state
    except Alert.DoesNotExist:
        return "missing"
