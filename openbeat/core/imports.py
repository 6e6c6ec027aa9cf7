"""A file uploaded in the back office and imported by a background task while its page shows live progress.

The flow every import follows (subscribers in subscriptions, engagement figures in insights):

1. `import_upload_page`: the upload page; a valid form's `start()` keeps the file and creates the job in one
   transaction, then the page moves on to the job's progress page.
2. `upload_keep`: the file is written under PRIVATE_STORAGE_ROOT (never served), readable by this user only,
   until the job has finished with it (`upload_discard`).
3. `job_queue`: the task is enqueued only once the job's row is committed, so the worker always finds it;
   `job_claim` lets one delivery of the task run it (a task delivered twice does nothing the second time).
4. `import_status_view`: the JSON the progress page polls, an `ImportProgress`, read by
   core/static/core/staff/import_progress.js on the page built from core/staff/import_progress.html.

The jobs' models stay in their apps (their fields differ); each app says how its job reads as an
`ImportProgress`, and records its own audit entries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, NotRequired, Protocol, TypedDict

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # what the upload forms accept; a larger file is refused with advice to split it


class ImportProgress(TypedDict):
    """What the progress page polls: the keys import_progress.js reads."""

    state: str  # "queued", "running", "done" or "failed": the page stops polling at the last two
    state_label: str
    processed: int
    total: int
    created: int
    unchanged: int
    skipped: NotRequired[int]
    error_count: int
    errors: list[str]  # the first rows refused, "line N: reason", in the file's order
    failure: str  # why a failed job stopped; "" otherwise


class _Queueable(Protocol):
    def enqueue(self, *args: Any, **kwargs: Any) -> Any: ...


def upload_keep(content: bytes, *, folder: str, suffix: str = "") -> str:
    """Keep an uploaded file privately until its job runs; its path relative to PRIVATE_STORAGE_ROOT."""
    stored = f"{folder}/{uuid.uuid4().hex}{suffix}"
    path = Path(settings.PRIVATE_STORAGE_ROOT) / stored
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    path.chmod(0o600)
    return stored


def upload_path(stored: str) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / stored


def upload_discard(stored: str) -> None:
    """Delete a kept upload (whatever became of its job, the file does not outlive it). Nothing if blank."""
    if stored:
        upload_path(stored).unlink(missing_ok=True)


def job_queue(task: _Queueable, job_pk: int) -> None:
    """Enqueue `task(job_pk)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task.enqueue(job_pk))


def job_claim(model: type[models.Model], pk: int, *, field: str, queued: str, running: str) -> bool:
    """Move a job from queued to running; False when it was not queued (already run, or running elsewhere)."""
    return bool(model._default_manager.filter(pk=pk, **{field: queued}).update(**{field: running}))


def import_upload_page(
    request: HttpRequest,
    *,
    form: Any,
    start: Callable[[], models.Model],
    progress_url: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The upload page: when the form is valid, `start()` keeps the file and creates the job (in one
    transaction; the task is queued after it commits) and the browser goes to the job's progress page."""
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            job = start()
        return redirect(progress_url, job.pk)
    return TemplateResponse(request, template, {"form": form, **context})


def import_status_view(
    *, model: type[models.Model], status: Callable[[Any], ImportProgress], permission: str
) -> Callable[[HttpRequest, int], JsonResponse]:
    """The JSON endpoint a job's progress page polls every second (never cached: Wagtail's admin URLs say so)."""

    @require_GET
    @permission_required(permission, raise_exception=True)
    def view(request: HttpRequest, pk: int) -> JsonResponse:
        return JsonResponse(status(get_object_or_404(model, pk=pk)))

    return view
