"""The task framework runs on each configured backend: the database (default), and RQ on Redis."""

import os
import socket
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.tasks import TaskResultStatus, task_backends

from openbeat.core.tasks import worker_heartbeat


def _redis_url() -> str:
    # The settings' URL (one Redis database per pytest-xdist worker), else a database of this worker's own.
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)
    url = django_settings.REDIS_URL or f"redis://127.0.0.1:6379/{15 - worker}"
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("Redis is not answering on 127.0.0.1:6379")
    return url


# The worker closes its database connection when done, so this cannot run inside a test transaction.
@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_an_enqueued_task(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    result = worker_heartbeat.enqueue("2026-01-01T00:00:00")
    assert result.status == TaskResultStatus.READY

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["sent_at"] == "2026-01-01T00:00:00"


@pytest.mark.django_db
def test_check_worker_fails_clearly_when_no_worker_runs(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is the worker running"):
        call_command("check_worker", "--timeout", "0.3")


def test_the_rq_worker_runs_an_enqueued_task(settings):
    url = _redis_url()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings.RQ_QUEUES = {"default": {"URL": url}, queue: {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}}
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    result = worker_heartbeat.using(queue_name=queue).enqueue("2026-01-01T00:00:00")
    worker = SimpleWorker([django_rq.get_queue(queue)], connection=django_rq.get_connection(queue), job_class=Job)
    worker.work(burst=True)

    result = task_backends["default"].get_result(result.id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["sent_at"] == "2026-01-01T00:00:00"


@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_runs_an_enqueued_task(settings):
    url = _redis_url()
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_celery.CeleryBackend", "OPTIONS": {"CELERY_APP": "openbeat.celery.app"}}
    }
    from celery.contrib.testing.worker import start_worker

    from openbeat.celery import app

    app.conf.update(broker_url=url, result_backend=url, result_extended=True)
    result = worker_heartbeat.enqueue("2026-01-01T00:00:00")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        for _ in range(100):
            result = task_backends["default"].get_result(result.id)
            if result.status == TaskResultStatus.SUCCESSFUL:
                break
            time.sleep(0.1)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["sent_at"] == "2026-01-01T00:00:00"


def _enqueue_then_fail(argument: str) -> None:
    from django.db import transaction

    from openbeat.core.tasks import enqueue_with_commit

    with transaction.atomic():
        enqueue_with_commit(worker_heartbeat, argument)
        raise RuntimeError


@pytest.mark.django_db(transaction=True)
def test_on_the_database_backend_a_task_commits_or_rolls_back_with_its_transaction(settings):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from openbeat.core.tasks import enqueue_with_commit

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with transaction.atomic():
        enqueue_with_commit(worker_heartbeat, "kept")
        # Written inside the transaction, not after it.
        assert DBTaskResult.objects.count() == 1
    with pytest.raises(RuntimeError):
        _enqueue_then_fail("rolled back")

    assert [row.args_kwargs["args"] for row in DBTaskResult.objects.all()] == [["kept"]]


@pytest.mark.django_db(transaction=True)
def test_elsewhere_a_task_is_queued_only_after_the_commit(settings):
    from django.db import transaction

    from openbeat.core.tasks import enqueue_with_commit

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    backend = task_backends["default"]
    with transaction.atomic():
        enqueue_with_commit(worker_heartbeat, "after")
        assert backend.results == []
    with pytest.raises(RuntimeError):
        _enqueue_then_fail("never")

    assert [result.args for result in backend.results] == [["after"]]
