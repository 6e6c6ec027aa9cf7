from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from health_check.views import HealthCheckView

from openbeat.monitoring.access import may_monitor
from openbeat.monitoring.checks import CHECKS
from openbeat.monitoring.metrics import metrics_text

REFUSED = "Send the monitoring token (Authorization: Bearer ...), or sign in with the permission to monitor.\n"


class _ClosingExecutor(ThreadPoolExecutor):
    """Runs each check in a thread of its own, and closes that thread's database connections afterwards (no
    request_finished signal closes them there)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                connections.close_all()

        return super().submit(run)


class HealthView(HealthCheckView):
    """Every check, as HTML for staff or JSON, text and OpenMetrics for monitoring (?format= or Accept)."""

    checks = CHECKS
    template_name = "monitoring/health.html"

    def get_executor(self) -> AbstractContextManager[Executor | None]:
        return _ClosingExecutor(max_workers=len(CHECKS), thread_name_prefix="health")

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from asgiref.sync import sync_to_async

        if not await sync_to_async(may_monitor)(request):
            return HttpResponse(REFUSED, status=403, content_type="text/plain; charset=utf-8")
        return await super().get(request, *args, **kwargs)  # type: ignore[no-any-return]


health = HealthView.as_view()


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_monitor(request):
        return HttpResponse(REFUSED, status=403, content_type="text/plain; charset=utf-8")
    body, content_type = metrics_text()
    return HttpResponse(body, content_type=content_type)
