"""Reads for the back office's Scheduled jobs page: each job with its last run, and the run log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from openbeat.scheduler.jobs import Job, scheduled_jobs
from openbeat.scheduler.models import JobLock, JobRun


@dataclass(frozen=True)
class JobStatus:
    job: Job
    lock: JobLock | None
    last_failed: bool

    @property
    def running(self) -> bool:
        return self.lock is not None and self.lock.held_until is not None


def job_statuses() -> list[JobStatus]:
    """Every job in the order the scheduler lists them, with its lock row (last run, outcome) if it ever ran."""
    locks = {lock.name: lock for lock in JobLock.objects.all()}
    return [
        JobStatus(
            job=job,
            lock=locks.get(job.name),
            last_failed=bool(locks.get(job.name) and locks[job.name].last_outcome.startswith("failed:")),
        )
        for job in scheduled_jobs()
    ]


def job_runs(*, job: str = "", failed_only: bool = False) -> QuerySet[JobRun]:
    runs = JobRun.objects.all()
    if job:
        runs = runs.filter(job=job)
    if failed_only:
        runs = runs.filter(ok=False)
    return runs
