"""OpenBeat's own health checks, beside django-health-check's database and cache checks.

Each says what is wrong in words an operator can act on, never with personal data or secrets: the oldest queued
task's age, the worker's last heartbeat, the scheduler's last runs, whether the mail server and GOV.UK Notify
answer, and the private files' free disk space. A `ServiceWarning` marks a degraded service; anything else failing
makes the detailed endpoint answer 500, for monitoring to alert on.
"""

from __future__ import annotations

import dataclasses
import datetime
import shutil
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable, ServiceWarning

HEARTBEAT_KEY = "monitoring:worker-heartbeat"


def _age(moment: datetime.datetime) -> str:
    seconds = int((timezone.now() - moment).total_seconds())
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The oldest task waiting to run (database backend): a queue no worker empties grows old."""

    def run(self) -> None:
        if settings.TASKS_BACKEND != "db":
            return  # Celery and RQ queues are watched through Redis; the heartbeat below covers their workers
        from django_tasks_db.models import DBTaskResult

        oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        if oldest is None:
            return
        limit = datetime.timedelta(seconds=settings.MONITORING_QUEUE_MAX_AGE_SECONDS)
        if timezone.now() - oldest > limit:
            raise ServiceUnavailable(f"The oldest queued task has waited {_age(oldest)}")


@dataclasses.dataclass
class WorkerHeartbeat(HealthCheck):
    """A worker ran the scheduler's heartbeat task recently (monitoring.tasks.worker_heartbeat)."""

    def run(self) -> None:
        seen = cache.get(HEARTBEAT_KEY)
        if seen is None:
            raise ServiceUnavailable("No worker has run the heartbeat task yet")
        beat = datetime.datetime.fromisoformat(seen)
        if timezone.now() - beat > datetime.timedelta(seconds=settings.MONITORING_HEARTBEAT_MAX_AGE_SECONDS):
            raise ServiceUnavailable(f"No worker has run the heartbeat task for {_age(beat)}")


@dataclasses.dataclass
class Scheduler(HealthCheck):
    """The scheduler ran a job recently, and no job's last run failed."""

    def run(self) -> None:
        from openbeat.scheduler.models import JobRun

        last = JobRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
        if last is None:
            raise ServiceUnavailable("The scheduler has never run a job")
        if timezone.now() - last > datetime.timedelta(seconds=settings.MONITORING_SCHEDULER_MAX_AGE_SECONDS):
            raise ServiceUnavailable(f"The scheduler last ran a job {_age(last)} ago")
        failing = sorted(
            job
            for job, ok in _last_outcomes()
            if ok is False  # None: still running
        )
        if failing:
            raise ServiceWarning(f"Last run failed: {', '.join(failing)}")


def _last_outcomes() -> list[tuple[str, bool | None]]:
    """Each job's last run: (job, ok), ok None while it runs."""
    from django.db.models import Max

    from openbeat.scheduler.models import JobRun

    latest = JobRun.objects.values("job").annotate(last=Max("started_at"))
    found = JobRun.objects.filter(
        started_at__in=[row["last"] for row in latest], job__in=[row["job"] for row in latest]
    ).values_list("job", "started_at", "ok")
    last_of = {row["job"]: row["last"] for row in latest}
    return [(job, ok) for job, started, ok in found if last_of.get(job) == started]


def _connect(host: str, port: int, timeout: float) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as connection:
        connection.settimeout(timeout)
        try:
            return connection.recv(64)
        except TimeoutError:
            return b""


@dataclasses.dataclass
class MailServer(HealthCheck):
    """The SMTP server answers with its 220 greeting (no message is sent, no login tried)."""

    def run(self) -> None:
        mailer = settings.MAILERS["default"]
        if not mailer["BACKEND"].endswith("smtp.EmailBackend"):
            return  # console or file mail (development): nothing to reach
        options = mailer.get("OPTIONS", {})
        host, port = options.get("host", "127.0.0.1"), int(options.get("port", 25))
        try:
            greeting = _connect(host, port, self.timeout.total_seconds())
        except OSError as error:
            raise ServiceUnavailable(f"The mail server {host}:{port} cannot be reached ({error.strerror})") from None
        if not greeting.startswith(b"220"):
            raise ServiceUnavailable(f"The mail server {host}:{port} did not greet (expected 220)")


@dataclasses.dataclass
class Notify(HealthCheck):
    """GOV.UK Notify's API host accepts a connection, when SMS go through Notify."""

    def run(self) -> None:
        if settings.SMS_BACKEND != "notify":
            return
        url = urlsplit(settings.NOTIFY_BASE_URL or "https://api.notifications.service.gov.uk")
        host = url.hostname or ""
        port = url.port or (443 if url.scheme == "https" else 80)
        try:
            socket.create_connection((host, port), timeout=self.timeout.total_seconds()).close()
        except OSError as error:
            raise ServiceUnavailable(f"GOV.UK Notify ({host}) cannot be reached ({error.strerror})") from None


@dataclasses.dataclass
class PrivateFilesDisk(HealthCheck):
    """Free space where evidence, imports and board reports are kept."""

    def run(self) -> None:
        root = settings.PRIVATE_STORAGE_ROOT
        try:
            usage = shutil.disk_usage(root)
        except OSError:
            raise ServiceUnavailable("The private files' folder cannot be read") from None
        free_mb = usage.free / 1024 / 1024
        if free_mb < settings.MONITORING_DISK_MIN_FREE_MB:
            raise ServiceUnavailable(f"Only {free_mb:.0f} MB free for private files")
        if usage.free / usage.total < 0.1:
            raise ServiceWarning(f"Less than 10% of the private files' disk is free ({free_mb:.0f} MB)")


CHECKS = (
    "health_check.checks.Database",
    "health_check.checks.Cache",
    "openbeat.monitoring.checks.TaskQueue",
    "openbeat.monitoring.checks.WorkerHeartbeat",
    "openbeat.monitoring.checks.Scheduler",
    "openbeat.monitoring.checks.MailServer",
    "openbeat.monitoring.checks.Notify",
    "openbeat.monitoring.checks.PrivateFilesDisk",
)
