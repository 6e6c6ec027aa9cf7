from typing import Any

from django.db import router, transaction
from django.tasks import Task, task, task_backends
from django.utils import timezone


@task()
def worker_heartbeat(sent_at: str) -> dict[str, str]:
    """Proves a worker is consuming the queue: `manage.py check_worker` enqueues it and waits."""
    return {"sent_at": sent_at, "ran_at": timezone.now().isoformat()}


def enqueue_with_commit(task: Task, *args: Any) -> None:
    """Queue `task` so that it runs only if the current transaction commits.

    On the database backend (django-tasks-db, in the same database) the task's row is written inside the
    transaction: it commits or rolls back with the rows it refers to, nothing is lost if the process dies
    between the two, and the write costs no transaction of its own (on SQLite, one hand-over of the
    database's single write lock fewer per form submission). Backends outside the database are told after
    the commit, so their worker never picks up a task for a row it cannot see yet.
    """
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task_backends[task.backend]
    if isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == "default":
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
