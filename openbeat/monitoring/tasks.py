from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

from openbeat.monitoring.checks import HEARTBEAT_KEY


@task()
def worker_heartbeat() -> str:
    """Queued by the scheduler every minute: a worker running it proves the queue is being consumed."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, 24 * 3600)
    return now
