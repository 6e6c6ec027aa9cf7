"""Each health check passes when its service is well and says plainly what is wrong when it is not."""

from __future__ import annotations

import datetime
import socket
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from health_check.base import HealthCheck
from health_check.exceptions import HealthCheckException, ServiceWarning

from openbeat.monitoring import checks, tasks
from openbeat.scheduler.models import JobRun

pytestmark = pytest.mark.django_db


def outcome(check: HealthCheck) -> Any:
    """The check's finding, run in this thread (the view runs each in a worker thread of its own, whose
    connection would not see this test's uncommitted rows)."""
    try:
        check.run()
    except HealthCheckException as error:
        return error
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _old_task(minutes: int) -> None:
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="openbeat.monitoring.tasks.worker_heartbeat",
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - datetime.timedelta(minutes=minutes))


def test_the_task_queue_is_well_while_tasks_are_picked_up(settings: Any) -> None:
    settings.TASKS_BACKEND = "db"
    assert outcome(checks.TaskQueue()) is None
    _old_task(minutes=1)
    assert outcome(checks.TaskQueue()) is None


def test_a_task_waiting_too_long_makes_the_queue_unhealthy(settings: Any) -> None:
    settings.TASKS_BACKEND = "db"
    settings.MONITORING_QUEUE_MAX_AGE_SECONDS = 600
    _old_task(minutes=15)
    error = outcome(checks.TaskQueue())
    assert "The oldest queued task has waited 15 min" in str(error)


def test_the_heartbeat_needs_a_worker_to_have_run_it_recently(settings: Any) -> None:
    assert "No worker has run the heartbeat task yet" in str(outcome(checks.WorkerHeartbeat()))
    tasks.worker_heartbeat.call()
    assert outcome(checks.WorkerHeartbeat()) is None
    settings.MONITORING_HEARTBEAT_MAX_AGE_SECONDS = -1
    assert "No worker has run the heartbeat task for" in str(outcome(checks.WorkerHeartbeat()))


def _run(job: str, *, minutes_ago: int, ok: bool | None) -> None:
    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    JobRun.objects.create(job=job, holder="test", started_at=started, finished_at=started, ok=ok)


def test_the_scheduler_must_have_run_recently(settings: Any) -> None:
    assert "never run a job" in str(outcome(checks.Scheduler()))
    _run("outbox_sweep", minutes_ago=20, ok=True)
    assert "The scheduler last ran a job 20 min" in str(outcome(checks.Scheduler()))
    _run("outbox_sweep", minutes_ago=0, ok=True)
    assert outcome(checks.Scheduler()) is None


def test_a_job_whose_last_run_failed_is_a_warning() -> None:
    _run("send_digests", minutes_ago=10, ok=True)
    _run("send_digests", minutes_ago=1, ok=False)
    _run("outbox_sweep", minutes_ago=5, ok=False)
    _run("outbox_sweep", minutes_ago=0, ok=True)  # failed once, then recovered
    error = outcome(checks.Scheduler())
    assert isinstance(error, ServiceWarning)
    assert str(error).endswith("Last run failed: send_digests")


def test_the_mail_server_must_greet(smtp_server: Any, settings: Any) -> None:
    assert outcome(checks.MailServer()) is None
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port()},
        }
    }
    assert "cannot be reached" in str(outcome(checks.MailServer()))


def test_notify_is_checked_only_when_sms_go_through_it(settings: Any) -> None:
    settings.SMS_BACKEND = "locmem"
    assert outcome(checks.Notify()) is None
    settings.SMS_BACKEND = "notify"
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{_free_port()}"
    assert "GOV.UK Notify (127.0.0.1) cannot be reached" in str(outcome(checks.Notify()))
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{listening.getsockname()[1]}"
        assert outcome(checks.Notify()) is None


def test_private_files_need_free_space(settings: Any, tmp_path: Any) -> None:
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    settings.MONITORING_DISK_MIN_FREE_MB = 1
    assert outcome(checks.PrivateFilesDisk()) is None
    settings.MONITORING_DISK_MIN_FREE_MB = 10**12
    assert "MB free for private files" in str(outcome(checks.PrivateFilesDisk()))
