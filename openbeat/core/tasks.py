from django.tasks import task
from django.utils import timezone


@task()
def worker_heartbeat(sent_at: str) -> dict[str, str]:
    """Proves a worker is consuming the queue: `manage.py check_worker` enqueues it and waits."""
    return {"sent_at": sent_at, "ran_at": timezone.now().isoformat()}
