"""Running a periodic job once per tick however many schedulers run it.

Every host of a deployment may run `manage.py run_scheduler` (two do, so that the jobs go on when one host
is down). Two safeguards keep that from doing the work twice:

- A lock in the database, one JobLock row per job, taken by a single conditional UPDATE: a scheduler runs a
  job only if the row says nobody is running it (`held_until` is empty or past) and nobody started it in
  the last `gap` (half the job's interval, an hour for the daily ones). The database decides between two
  hosts that try at once: one UPDATE matches the row, the other finds it changed and runs nothing. While a
  run is under way the row is held until `now + hold`; the run clears that when it ends. If its scheduler
  dies mid-run, the job is free again once `hold` has passed. With schedulers on two hosts ticking at
  their own moments, each job runs about once per interval, on whichever host comes first.
- Every job is idempotent anyway (jobs.py says why for each), so a run that outlives its `hold`, or two
  runs during a clock step, do no harm: each does at worst some work twice that changes nothing the
  second time.

Every run a scheduler takes is recorded (JobRun: when, where, how it ended), and a job of a time of day whose
last time passed while no scheduler ran (every host down at 03:30, say) is run once as a scheduler starts
(`missed_run`); the lock keeps that to one run when two start together.

Times come from each host's clock: hosts are expected to keep time with NTP (a few seconds of drift only
makes a job run a little early or late on one host).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from openbeat.scheduler.models import JobLock, JobRun

if TYPE_CHECKING:
    from openbeat.scheduler.jobs import Job

logger = logging.getLogger(__name__)


def scheduler_holder() -> str:
    """This scheduler, as JobLock rows name it: host and process."""
    return f"{socket.gethostname()} pid {os.getpid()}"[:200]


def job_lock_take(*, name: str, holder: str, now: datetime, gap: timedelta, hold: timedelta) -> bool:
    """Take the job `name` for a run starting `now`; False if another scheduler has it or ran it within `gap`."""
    free = (Q(held_until__isnull=True) | Q(held_until__lte=now)) & (
        Q(started_at__isnull=True) | Q(started_at__lte=now - gap)
    )

    def take() -> int:
        return JobLock.objects.filter(free, name=name).update(holder=holder, started_at=now, held_until=now + hold)

    taken = take()
    if not taken and not JobLock.objects.filter(name=name).exists():
        JobLock.objects.bulk_create([JobLock(name=name)], ignore_conflicts=True)  # the job's first run anywhere
        taken = take()
    return bool(taken)


def job_lock_release(*, name: str, holder: str, started: datetime, outcome: str) -> None:
    """End the run that took the job at `started`; a run whose hold passed and was taken over changes nothing."""
    JobLock.objects.filter(name=name, holder=holder, started_at=started).update(
        held_until=None, finished_at=timezone.now(), last_outcome=outcome[:300]
    )


def job_run(job: Job, *, holder: str, caught_up: bool = False) -> str | None:
    """Run `job` if this scheduler takes it for this tick: what APScheduler calls. Returns what the run did
    (for the log, the JobLock row and the run's JobRun), or None when another scheduler had it. A failing job
    is logged and recorded; the next tick tries again."""
    _close_old_connections()  # each job runs in one of the scheduler's threads, like a request
    try:
        started = timezone.now()
        if not job_lock_take(name=job.name, holder=holder, now=started, gap=job.gap, hold=job.hold):
            logger.debug("job %s: taken by another scheduler", job.name)
            return None
        run = JobRun.objects.create(job=job.name, holder=holder, started_at=started, caught_up=caught_up)
        if caught_up:
            logger.info("job %s: its last run was missed; running it once now", job.name)
        ok = True
        try:
            done = job.run()
        except Exception as error:
            logger.exception("scheduled job %s failed", job.name)
            outcome, ok = f"failed: {type(error).__name__}: {error}", False
        else:
            outcome = str(done)
            logger.log(logging.INFO if done else logging.DEBUG, "job %s: %s", job.name, outcome)
        job_lock_release(name=job.name, holder=holder, started=started, outcome=outcome)
        JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), ok=ok, outcome=outcome[:300])
        return outcome
    finally:
        _close_old_connections()


def _close_old_connections() -> None:
    """Drop this thread's broken or expired connections, as Django does around a request; never one a
    caller's transaction is using (a job run inline, as in tests)."""
    if not connection.in_atomic_block:
        close_old_connections()


def missed_run(
    *, fire_times: Callable[[datetime], datetime | None], last_started: datetime | None, now: datetime
) -> datetime | None:
    """The time a job of a time of day last fell due before `now`, if no run started since: the run a
    scheduler makes up for as it starts. `fire_times(after)` is the job's next time after `after` (its cron
    trigger). A job that never ran anywhere has missed nothing (a new install waits for its time), and only
    the last missed time counts: a week of downtime is made up by one run, not seven."""
    if last_started is None:
        return None
    due, probe = None, last_started
    # Walk the times from the last run towards now (a daily job: at most one step per day it was down).
    for _ in range(400):
        following = fire_times(probe)
        if following is None or following > now:
            break
        due, probe = following, following
    return due


def job_last_started() -> dict[str, datetime | None]:
    """When each job was last taken by any scheduler (its JobLock row)."""
    return dict(JobLock.objects.values_list("name", "started_at"))


def job_runs_prune(*, days: int, now: datetime | None = None) -> int:
    """Delete the run log older than `days` (the retention job); the number of runs deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = JobRun.objects.filter(started_at__lt=cutoff).delete()
    return deleted
