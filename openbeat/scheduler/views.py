"""The back office's Scheduled jobs page (Settings): what runs by itself, when it last ran, and how it ended."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openbeat.scheduler.selectors import job_runs, job_statuses


@permission_required("scheduler.view_scheduled_jobs", raise_exception=True)
def job_list(request: HttpRequest) -> HttpResponse:
    statuses = job_statuses()
    names = {status.job.name for status in statuses}
    job = request.GET.get("job", "")
    job = job if job in names else ""
    failed_only = request.GET.get("failed") == "1"
    page = Paginator(job_runs(job=job, failed_only=failed_only), 50).get_page(request.GET.get("p"))
    return render(
        request,
        "scheduler/job_list.html",
        {"statuses": statuses, "page": page, "job": job, "failed_only": failed_only, "names": sorted(names)},
    )
