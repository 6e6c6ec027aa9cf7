"""The scheduler process: runs the periodic jobs (openbeat/scheduler/jobs.py) with APScheduler, no cron.

Run one beside each worker host (`make run` starts one beside the web server and the worker); schedulers on
several hosts share the work through a lock in the database (openbeat/scheduler/services.py). Interval jobs
run once as it starts, then at their interval; the daily ones at their time, in the force's time zone.

Why a scheduler rather than the worker sweeping for itself: db_worker is django-tasks-db's own loop (RQ and
Celery bring theirs), so a sweep inside it would need a fork of each; a worker cannot recover its own death,
and every worker sweeping would multiply the sweeps by the workers; the scheduler runs the other periodic
jobs anyway, on every task backend alike.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from openbeat.scheduler.jobs import Job, scheduled_jobs
from openbeat.scheduler.services import job_last_started, job_run, missed_run, scheduler_holder

# Threads for the jobs: a long one (a big alert's dispatch, an evidence scan) must not hold up the sweep.
THREADS = 4


def build_scheduler(jobs: list[Job], *, holder: str) -> BlockingScheduler:
    """An APScheduler scheduler with one entry per job, each run through job_run (the database lock)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    scheduler = BlockingScheduler(
        timezone=zone,
        executors={"default": ThreadPoolExecutor(THREADS)},
        # One run of a job at a time in this process; ticks missed while it ran are not run late one by one.
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    now = datetime.now(zone)
    last_started = job_last_started()
    for job in jobs:
        if job.every is not None:
            trigger: Any = IntervalTrigger(seconds=job.every.total_seconds(), timezone=zone)
            extra: dict[str, Any] = {"next_run_time": now, "misfire_grace_time": max(1, int(job.every.total_seconds()))}
        else:
            trigger = CronTrigger(timezone=zone, **job.cron)
            extra = {"misfire_grace_time": 3600}
            missed = missed_run(
                fire_times=_after(trigger), last_started=last_started.get(job.name), now=now.astimezone(UTC)
            )
            if missed is not None:
                # Its time passed while no scheduler ran: once now (the lock makes it once however many start).
                scheduler.add_job(
                    job_run,
                    DateTrigger(run_date=now, timezone=zone),
                    args=[job],
                    kwargs={"holder": holder, "caught_up": True},
                    id=f"{job.name} (missed {missed:%Y-%m-%d %H:%M})",
                    name=job.name,
                    misfire_grace_time=None,
                )
        scheduler.add_job(job_run, trigger, args=[job], kwargs={"holder": holder}, id=job.name, name=job.name, **extra)
    return scheduler


def _after(trigger: CronTrigger) -> Callable[[datetime], datetime | None]:
    """The trigger's first time strictly after a moment (APScheduler's own answer includes the moment)."""

    def following(moment: datetime) -> datetime | None:
        return trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))

    return following


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (due alerts, outbox recovery, digests, evidence scans, retention, the monthly "
        "board report) until stopped. Safe to run on several hosts at once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--list", action="store_true", help="Print the jobs and when they run, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = scheduled_jobs()
        if options["list"]:
            for job in jobs:
                by_hand = f"by hand: manage.py {job.command}" if job.command else "no command"
                self.stdout.write(f"{job.name:<24} {job.schedule:<22} ({by_hand})")
            return
        # APScheduler logs every run at INFO ("Running job ..."): with a sweep every 15 s, only what matters.
        logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
        holder = scheduler_holder()
        scheduler = build_scheduler(jobs, holder=holder)

        def stop(signum: int, frame: object) -> None:
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Scheduler {holder}: {len(jobs)} jobs; {', '.join(j.name for j in jobs)}.")
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=False)  # a job under way finishes before the process exits
            self.stdout.write("Scheduler stopped.")
