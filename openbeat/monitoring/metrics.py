"""Metrics in Prometheus's text format, for a monitoring system to scrape from /metrics.

Two kinds:
- Requests (count by method, status class and part of the site; duration histogram), counted by
  `RequestMetricsMiddleware` in each process. Under gunicorn each worker counts its own: with
  PROMETHEUS_MULTIPROC_DIR set (the deploy recipe sets it), prometheus_client keeps them in files there and a
  scrape of any worker adds up every worker's; without it (development, tests) a scrape shows its own process.
  On several hosts, scrape each host (its own `instance`), as Prometheus does.
- The service's state, read from the database at scrape time with a few indexed queries: messages by channel and
  state (alerts sent in the last week and those still sending), the task queue's depth by status, its oldest
  waiting task and the last day's failures, the last import's and board report's build times, and each scheduled
  job's last run, and the newest backup's time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
# In multiprocess mode the values live in files and the registry is built per scrape; otherwise in this one.
REQUESTS_REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "openbeat_http_requests",
    "Requests answered, by method, status class and part of the site.",
    ["method", "status", "area"],
    registry=None if MULTIPROCESS else REQUESTS_REGISTRY,
)
DURATION = Histogram(
    "openbeat_http_request_duration_seconds",
    "Time to answer a request, by part of the site.",
    ["area"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=None if MULTIPROCESS else REQUESTS_REGISTRY,
)
# The first path segment names the part of the site; anything else is "pages" (bounded label values).
AREAS = {
    "admin", "alerts", "api", "cap", "concerns", "d", "events", "feeds", "in-the-know", "meetings",
    "neighbourhoods", "news", "open311", "report", "search", "static", "surveys", "volunteering", "watch-schemes",
    "youth",
}  # fmt: skip
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def area_of(path: str) -> str:
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in AREAS else "pages"


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        area = area_of(request.path_info)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(method, f"{response.status_code // 100}xx", area).inc()
        DURATION.labels(area).observe(time.perf_counter() - started)
        return response


class StateCollector:
    """The service's state from the database, at scrape time."""

    def collect(self) -> Iterator[Metric]:
        yield from _messages()
        yield from _tasks()
        yield from _builds()
        yield from _jobs()
        yield from _backups()


def _messages() -> Iterator[Metric]:
    from django.db.models import Count, Q

    from openbeat.alerts.models import Alert
    from openbeat.delivery.models import Delivery

    recent = Alert.objects.filter(
        Q(state=Alert.State.SENDING) | Q(sent_at__gte=timezone.now() - timedelta(days=7))
    ).values("pk")
    family = GaugeMetricFamily(
        "openbeat_messages",
        "Messages of alerts sent in the last 7 days or still sending, by channel and state.",
        labels=["channel", "state"],
    )
    rows = Delivery.objects.filter(alert__in=recent).values("channel", "state").annotate(n=Count("pk"))
    for row in rows.order_by("channel", "state"):
        family.add_metric([row["channel"], row["state"]], row["n"])
    yield family


def _tasks() -> Iterator[Metric]:
    if settings.TASKS_BACKEND != "db":
        return
    from django.db.models import Count, Min
    from django_tasks_db.models import DBTaskResult

    depth = GaugeMetricFamily("openbeat_tasks", "Background tasks by status.", labels=["status"])
    for row in DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).values("status").annotate(n=Count("pk")):
        depth.add_metric([row["status"].lower()], row["n"])
    yield depth
    oldest = DBTaskResult.objects.ready().aggregate(at=Min("enqueued_at"))["at"]
    yield GaugeMetricFamily(
        "openbeat_task_oldest_waiting_seconds",
        "How long the oldest task waiting to run has waited (0 when none waits).",
        value=(timezone.now() - oldest).total_seconds() if oldest else 0,
    )
    failed = DBTaskResult.objects.failed().filter(finished_at__gte=timezone.now() - timedelta(days=1)).count()
    yield GaugeMetricFamily("openbeat_task_failures_last_day", "Tasks that failed in the last 24 hours.", value=failed)


def _duration(model: type, field: str, done: str) -> float | None:
    last = (
        model.objects.filter(**{field: done}, finished_at__isnull=False)  # type: ignore[attr-defined]
        .order_by("-finished_at")
        .values_list("created_at", "finished_at")
        .first()
    )
    return (last[1] - last[0]).total_seconds() if last else None


def _builds() -> Iterator[Metric]:
    from openbeat.insights.models import ImportBatch, ReportBuild
    from openbeat.subscriptions.models import ImportJob

    imports = GaugeMetricFamily(
        "openbeat_last_import_seconds", "The last finished import's time from upload to end.", labels=["kind"]
    )
    for kind, model, field, done in (
        ("insights", ImportBatch, "status", ImportBatch.Status.DONE),
        ("subscribers", ImportJob, "state", ImportJob.State.DONE),
    ):
        seconds = _duration(model, field, done)
        if seconds is not None:
            imports.add_metric([kind], seconds)
    yield imports
    report = _duration(ReportBuild, "status", ReportBuild.Status.DONE)
    if report is not None:
        yield GaugeMetricFamily(
            "openbeat_last_board_report_seconds", "The last board report's time from request to file.", value=report
        )


def _backups() -> Iterator[Metric]:
    """When the newest archive in BACKUP_DIR was made (an archive gets its name only once it is complete)."""
    from openbeat.monitoring.backups import backup_last_time

    last = backup_last_time()
    if last is not None:
        yield GaugeMetricFamily(
            "openbeat_backup_last_timestamp_seconds",
            "When the newest complete backup was made.",
            value=last.timestamp(),
        )


def _jobs() -> Iterator[Metric]:
    from django.db.models import Max

    from openbeat.scheduler.models import JobRun

    last = GaugeMetricFamily(
        "openbeat_scheduler_last_run_timestamp_seconds", "When each scheduled job last started.", labels=["job"]
    )
    for row in JobRun.objects.values("job").annotate(at=Max("started_at")).order_by("job"):
        last.add_metric([row["job"]], row["at"].timestamp())
    yield last


def metrics_text() -> tuple[bytes, str]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StateCollector())  # type: ignore[arg-type]
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REQUESTS_REGISTRY) + generate_latest(registry), CONTENT_TYPE_LATEST
