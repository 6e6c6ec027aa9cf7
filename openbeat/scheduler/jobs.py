"""The periodic jobs, which the scheduler runs instead of cron (`manage.py run_scheduler`, started beside the
web server and the worker by `make run`).

Each job calls the service functions its management command calls, so the commands stay as manual tools
that do the same. Every job is idempotent, so two schedulers (one per host) running it at once do no harm;
the database lock in services.py keeps that to one run per tick all the same:

- dispatch_due_alerts, every minute: `alert_dispatch` moves an alert from approved to sending with a
  conditional UPDATE, so one run takes each alert; a failed dispatch is retried by the next tick.
- outbox_sweep, every DELIVERY_SWEEP_SECONDS (15 s): takes back the batches of dead workers (expired
  leases, delivery.outbox). Each lease is deleted by one sweeper, conditionally: the other finds it gone.
- outbox_recover, every STALE_AFTER (10 min): the sweep's slow safety net (batch task results left running
  with no lease, rows in sending without a lease, alerts that stalled with nothing in flight). Closing a
  result is a conditional UPDATE; queuing a batch twice sends nothing twice.
- publish_scheduled, every minute: Wagtail's own command; a page already published is not published again.
- redact_resolved_appeals, every 5 minutes: an appeal already redacted is skipped (news.services).
- send_digests, every 5 minutes: a subscriber's digest items are marked sent under a row lock in the
  transaction that queues the email, so one digest per person per day however many runs.
- scan_pending_evidence, every 15 minutes: a file is scanned again at worst (its result is the same); the
  purges delete what is already gone the second time.
- reports_retention, daily at 03:30: blanking details already blank changes nothing.
- build_monthly_report, daily at 06:00: `monthly_report_run` takes a row lock and asks for last month's
  report only if no build of it exists, from the 1st on, so a run missed on the 1st is caught up.
- login_attempts_expire, daily at 04:00: failed staff sign-ins (a username and an address) older than the
  lock window are deleted; deleting them twice deletes nothing more.
- prune_job_runs, daily at 04:45: the scheduler's run log older than JOB_RUNS_RETENTION_DAYS is deleted.
- flush_page_views, every 5 minutes: public pages' views counted in the shared cache are added to the database;
  each counter is decremented by what was added, in the same transaction, so a second run adds nothing twice.
- dispatch_due_social_posts, every minute: queues a send task per social post target that is due (approved and
  its time come, or stuck in posting past its lease); `social.services.target_send` takes each under a row lock
  and looks a stuck one up on its network before posting again, so a target is posted at most once; inbox
  replies likewise (`social.replies.reply_send`). Also prunes the social ledger past the force's retention
  (deleting what is gone deletes nothing).
- fetch_social_results, every 10 minutes: queues a mentions task per connected social account (the shared
  inbox stores each mention once, by its remote id) and, once a day, a results task per account (followers and
  posts' figures into insights observations, overwritten by their unique key); done inbox items past their
  retention are deleted (deleting what is gone deletes nothing).
- survey_exports, every 5 minutes: survey exports a dead worker left past their lease (or whose task was lost)
  are queued again, and export files past SURVEYS_EXPORT_RETENTION_DAYS deleted (surveys.exporting); an export
  is taken by one run only (a conditional UPDATE), and deleting what is gone deletes nothing.
- survey_indices, every 5 minutes: the survey indices' precomputed cells of the months whose responses changed
  are recomputed, and indices with no figures computed (surveys.indices.cells_refresh_due); each index's refresh
  holds its row, deletes and inserts whole months, and a change's mark is deleted only by the run that read it.
- worker_heartbeat, every minute: queues monitoring's heartbeat task; the worker that runs it records the time,
  and /health/ reports the queue unhealthy when no worker has done so for MONITORING_HEARTBEAT_MAX_AGE_SECONDS.
- backup_nightly, daily at 02:30: `manage.py backup` (monitoring.backups): one dated archive of the database and
  the private files, then old archives pruned. Two hosts running it at once write two archives of the same
  state under the same name in their own BACKUP_DIR (or the second refuses, the name being taken): no harm.
- prune_task_results, daily at 04:30 (database task backend only): finished task results older than
  TASK_RESULTS_RETENTION_DAYS are deleted, as django-tasks-db's own command does.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A periodic job: its name (also its lock's), what it runs, and when.

    Either `every` (an interval, first run as the scheduler starts) or `cron` (APScheduler CronTrigger
    fields, in the force's local time). `hold` is the longest a run may keep the job from other schedulers:
    if its scheduler dies mid-run, another takes the job over after that, so it is short for the jobs that
    must not wait (a run that outlasts it only lets a second, harmless run start). `gap` is the least time
    between two runs on different hosts: half the interval, or an hour for a job at a time of day."""

    name: str
    run: Callable[[], Any]
    every: timedelta | None = None
    cron: dict[str, Any] = field(default_factory=dict)
    hold: timedelta = timedelta(minutes=2)
    command: str = ""  # the management command that does the same by hand

    @property
    def gap(self) -> timedelta:
        return self.every / 2 if self.every is not None else timedelta(hours=1)

    @property
    def schedule(self) -> str:
        if self.every is not None:
            return f"every {self.every.total_seconds():g} s"
        return "at " + ", ".join(f"{unit}={value}" for unit, value in self.cron.items())


def dispatch_due_alerts() -> str:
    """What `manage.py dispatch_due_alerts` does: dispatch approved alerts whose time has come."""
    from openbeat.alerts.services import alert_dispatch, alerts_due

    states: dict[str, int] = {}
    for alert_id in alerts_due():
        try:
            state = str(alert_dispatch(alert_id=alert_id).state)
        except Exception:  # one failing hand-off must not hold up the others; the next tick retries it
            logger.exception("dispatching alert %s failed", alert_id)
            state = "failed"
        states[state] = states.get(state, 0) + 1
    return ", ".join(f"{count} {state}" for state, count in sorted(states.items()))


def outbox_sweep() -> int:
    """The lease sweep (delivery.outbox.outbox_sweep): the deliveries returned to the outbox."""
    from openbeat.delivery.outbox import outbox_sweep as sweep

    return sweep()


def outbox_recover() -> int:
    """What `manage.py outbox_recover` does with its defaults (the sweep and the slow safety net)."""
    from openbeat.delivery.outbox import outbox_recover as recover

    return recover()


def send_digests() -> int:
    """What `manage.py send_digests` does: the daily digests that are due."""
    from openbeat.delivery.digest import digest_send_due

    return digest_send_due(now=timezone.now())


def scan_pending_evidence() -> str:
    """What `manage.py scan_pending_evidence` does with its defaults: called as the command itself, since part
    of its work (forgetting old drafts) lives in the command rather than in a service function."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("scan_pending_evidence", stdout=out)
    return out.getvalue().strip()


def reports_retention() -> int:
    """What `manage.py reports_retention` does: forget the contact details of long-closed reports."""
    from openbeat.reports.services import reporter_details_expire

    days = settings.REPORTS_CONTACT_RETENTION_DAYS
    return reporter_details_expire(closed_before=timezone.now() - timedelta(days=days))


def build_monthly_report() -> str:
    """What `manage.py build_monthly_report` does: ask for last month's board report once it is due."""
    from openbeat.insights.report_tasks import monthly_report_run

    build = monthly_report_run()
    return f"build {build.pk} asked for" if build is not None else ""


def login_attempts_expire() -> int:
    """What `manage.py login_attempts_expire` does: forget failed sign-ins past the lock window."""
    from openbeat.staff.auth import login_attempts_expire as expire

    return expire()


def prune_task_results() -> str:
    """What `manage.py prune_db_task_results` does, for the database task backend (RQ and Celery keep their
    results in Redis with their own expiry)."""
    from django.core.management import call_command
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(task_backends["default"], DatabaseBackend):
        return "not the database task backend"
    days = settings.TASK_RESULTS_RETENTION_DAYS
    out = io.StringIO()
    call_command("prune_db_task_results", queue_name="*", min_age_days=days, stdout=out, verbosity=0)
    return out.getvalue().strip()


def prune_job_runs() -> str:
    """The scheduler's own run log, kept JOB_RUNS_RETENTION_DAYS."""
    from openbeat.scheduler.services import job_runs_prune

    return f"{job_runs_prune(days=settings.JOB_RUNS_RETENTION_DAYS)} old runs deleted"


def publish_scheduled_pages() -> str:
    """What Wagtail's `manage.py publish_scheduled` does: publish pages whose "go live" time has come (an approved
    news story or appeal set for later), and unpublish those past their "expiry" time."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue().strip()[:300]


def redact_resolved_appeals() -> int:
    """Remove the name and photos of resolved missing person and suspect appeals whose delay has passed
    (NEWS_APPEAL_REDACT_AFTER_HOURS; news.services)."""
    from openbeat.news.services import appeals_redact_due

    return appeals_redact_due()


def flush_page_views() -> str:
    """Public pages' views counted since the last run, from the shared cache into the database (campaigns)."""
    from openbeat.campaigns.pageviews import page_views_flush

    return f"{page_views_flush()} page views"


def dispatch_due_social_posts() -> str:
    """Social media posts whose time has come, and those a dead worker left in posting (social.services); inbox
    replies likewise (social.replies)."""
    from openbeat.social.ledger import ledger_prune
    from openbeat.social.replies import replies_dispatch
    from openbeat.social.services import dispatch_due

    return (
        f"{dispatch_due()} queued, {replies_dispatch()} inbox replies queued, "
        f"{ledger_prune()} old ledger entries pruned"
    )


def fetch_social_results() -> str:
    """Social replies and mentions into the shared inbox, and once a day results into insights (social)."""
    from openbeat.social.inbox import inbox_prune, mentions_dispatch
    from openbeat.social.results import results_dispatch

    return (
        f"{mentions_dispatch()} mentions fetches, {results_dispatch()} results fetches queued, "
        f"{inbox_prune()} old inbox items deleted"
    )


def survey_exports() -> str:
    """Survey exports: restart those a dead worker left, delete files past their retention (surveys.exporting)."""
    from openbeat.surveys.exporting import exports_recover

    counts = exports_recover()
    return ", ".join(f"{count} {what}" for what, count in counts.items())


def survey_indices() -> str:
    """Survey indices: recompute the cells of months whose responses changed, and compute new indices."""
    from openbeat.surveys.indices import cells_refresh_due

    return cells_refresh_due()


def worker_heartbeat() -> str:
    """A heartbeat task for the workers to run (monitoring.tasks): its time shows on /health/."""
    from openbeat.monitoring.tasks import worker_heartbeat as heartbeat

    return f"heartbeat {heartbeat.enqueue().id} queued"


def backup_nightly() -> str:
    """What `manage.py backup` does: an archive of the database and private files, and pruning."""
    from openbeat.monitoring.backups import backup_create

    return f"{backup_create().name} written"


def scheduled_jobs() -> list[Job]:
    """The jobs, as the scheduler runs them (intervals from settings where they have one)."""
    from openbeat.delivery.outbox import STALE_AFTER

    sweep = timedelta(seconds=settings.DELIVERY_SWEEP_SECONDS)
    return [
        Job("dispatch_due_alerts", dispatch_due_alerts, every=timedelta(minutes=1), command="dispatch_due_alerts"),
        Job(
            "outbox_sweep",
            outbox_sweep,
            every=sweep,
            hold=sweep,  # a run takes milliseconds; a host that died mid-run must not delay recovery
            command="outbox_recover",
        ),
        Job("outbox_recover", outbox_recover, every=STALE_AFTER, hold=timedelta(minutes=5), command="outbox_recover"),
        Job("send_digests", send_digests, every=timedelta(minutes=5), command="send_digests"),
        Job(
            "publish_scheduled",
            publish_scheduled_pages,
            every=timedelta(minutes=1),
            command="publish_scheduled",
        ),
        Job(
            "redact_resolved_appeals",
            redact_resolved_appeals,
            every=timedelta(minutes=5),
            command="redact_resolved_appeals",
        ),
        Job(
            "scan_pending_evidence",
            scan_pending_evidence,
            every=timedelta(minutes=15),
            hold=timedelta(minutes=30),
            command="scan_pending_evidence",
        ),
        Job(
            "reports_retention",
            reports_retention,
            cron={"hour": 3, "minute": 30},
            hold=timedelta(hours=1),
            command="reports_retention",
        ),
        Job(
            "build_monthly_report",
            build_monthly_report,
            cron={"hour": 6, "minute": 0},
            hold=timedelta(hours=1),
            command="build_monthly_report",
        ),
        Job(
            "login_attempts_expire",
            login_attempts_expire,
            cron={"hour": 4, "minute": 0},
            hold=timedelta(hours=1),
            command="login_attempts_expire",
        ),
        Job(
            "prune_task_results",
            prune_task_results,
            cron={"hour": 4, "minute": 30},
            hold=timedelta(hours=1),
            command="prune_db_task_results",
        ),
        Job("prune_job_runs", prune_job_runs, cron={"hour": 4, "minute": 45}, hold=timedelta(hours=1)),
        Job("flush_page_views", flush_page_views, every=timedelta(minutes=5), command="flush_page_views"),
        Job("worker_heartbeat", worker_heartbeat, every=timedelta(minutes=1), command="check_worker"),
        Job("survey_exports", survey_exports, every=timedelta(minutes=5), command="survey_exports"),
        Job(
            "survey_indices",
            survey_indices,
            every=timedelta(minutes=5),
            hold=timedelta(minutes=10),  # a year's months of a million responses recomputed: under a minute
            command="survey_indices",
        ),
        Job(
            "dispatch_due_social_posts",
            dispatch_due_social_posts,
            every=timedelta(minutes=1),
            command="dispatch_due_social_posts",
        ),
        Job(
            "fetch_social_results",
            fetch_social_results,
            every=timedelta(minutes=10),
            hold=timedelta(minutes=5),
            command="fetch_social_results",
        ),
        Job(
            "backup_nightly",
            backup_nightly,
            cron={"hour": 2, "minute": 30},
            hold=timedelta(hours=2),
            command="backup",
        ),
    ]
