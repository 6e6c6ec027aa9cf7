"""The scheduler: which jobs it runs and when, that each calls what its command calls, and the database lock
that lets schedulers on two hosts run each job once per tick."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.core.management import call_command, get_commands

from openbeat.scheduler import jobs as scheduler_jobs
from openbeat.scheduler.management.commands.run_scheduler import build_scheduler
from openbeat.scheduler.models import JobLock
from openbeat.scheduler.services import job_lock_release, job_lock_take, job_run

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def by_name():
    return {job.name: job for job in scheduler_jobs.scheduled_jobs()}


def test_the_scheduler_runs_every_job_the_readme_gave_to_cron():
    jobs = by_name()
    assert {name: job.schedule for name, job in jobs.items()} == {
        "dispatch_due_alerts": "every 60 s",
        "outbox_sweep": f"every {settings.DELIVERY_SWEEP_SECONDS:g} s",
        "outbox_recover": "every 600 s",
        "send_digests": "every 300 s",
        "publish_scheduled": "every 60 s",
        "redact_resolved_appeals": "every 300 s",
        "scan_pending_evidence": "every 900 s",
        "reports_retention": "at hour=3, minute=30",
        "build_monthly_report": "at hour=6, minute=0",
        "login_attempts_expire": "at hour=4, minute=0",
        "prune_task_results": "at hour=4, minute=30",
        "prune_job_runs": "at hour=4, minute=45",
        "flush_page_views": "every 300 s",
        "worker_heartbeat": "every 60 s",
        "dispatch_due_social_posts": "every 60 s",
        "fetch_social_results": "every 600 s",
        "survey_exports": "every 300 s",
        "survey_indices": "every 300 s",
        "backup_nightly": "at hour=2, minute=30",
    }
    commands = get_commands()
    # Every job but the scheduler's own housekeeping can be run by hand.
    assert all(job.command in commands for job in jobs.values() if job.name != "prune_job_runs")


def test_a_killed_worker_is_recovered_within_a_minute_with_the_default_lease_and_sweep():
    """A lease expires at most DELIVERY_LEASE_SECONDS after the kill and the next sweep finds it: the sum,
    plus a worker picking the batch up, must stay inside a minute; the sweep at most half a lease."""
    job = by_name()["outbox_sweep"]
    sweep = job.every
    assert sweep is not None
    lease = timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    assert sweep <= lease / 2
    assert lease + sweep <= timedelta(seconds=50)
    # A host that died in the middle of a sweep keeps the others from sweeping for no more than one interval.
    assert job.hold <= sweep
    assert job.gap == sweep / 2


def test_the_scheduler_has_one_entry_per_job_interval_jobs_running_as_it_starts():
    scheduler = build_scheduler(scheduler_jobs.scheduled_jobs(), holder="test")
    entries = {entry.id: entry for entry in scheduler.get_jobs()}  # not started: pending entries
    assert set(entries) == set(by_name())
    sweep = entries["outbox_sweep"]
    assert isinstance(sweep.trigger, IntervalTrigger)
    assert sweep.trigger.interval == timedelta(seconds=settings.DELIVERY_SWEEP_SECONDS)
    assert sweep.args[0].name == "outbox_sweep"
    assert sweep.kwargs == {"holder": "test"}
    assert sweep.func is job_run
    retention = entries["reports_retention"]
    assert isinstance(retention.trigger, CronTrigger)
    assert str(retention.trigger.timezone) == settings.TIME_ZONE


def test_run_scheduler_lists_its_jobs():
    out = io.StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(by_name())
    assert lines[1].split()[:3] == ["outbox_sweep", "every", f"{settings.DELIVERY_SWEEP_SECONDS:g}"]


@pytest.mark.parametrize(
    ("job", "module", "function", "returns"),
    [
        ("outbox_sweep", "openbeat.delivery.outbox", "outbox_sweep", 3),
        ("outbox_recover", "openbeat.delivery.outbox", "outbox_recover", 2),
        ("send_digests", "openbeat.delivery.digest", "digest_send_due", 5),
        ("reports_retention", "openbeat.reports.services", "reporter_details_expire", 4),
        ("build_monthly_report", "openbeat.insights.report_tasks", "monthly_report_run", None),
        ("dispatch_due_alerts", "openbeat.alerts.services", "alerts_due", []),
        ("survey_indices", "openbeat.surveys.indices", "cells_refresh_due", "0 indices computed"),
    ],
)
def test_each_job_calls_the_service_function_its_command_calls(monkeypatch, job, module, function, returns):
    import importlib

    calls = []

    def service(*args, **kwargs):
        calls.append(kwargs)
        return returns

    monkeypatch.setattr(importlib.import_module(module), function, service)
    by_name()[job].run()
    assert len(calls) == 1
    if job == "reports_retention":
        days = settings.REPORTS_CONTACT_RETENTION_DAYS
        assert abs(calls[0]["closed_before"] - (datetime.now(UTC) - timedelta(days=days))) < timedelta(minutes=1)


def test_the_dispatch_job_dispatches_each_due_alert_and_a_failure_does_not_stop_the_others(monkeypatch):
    from openbeat.alerts import services

    dispatched = []

    class Sent:
        state = "sending"

    def dispatch(*, alert_id):
        dispatched.append(alert_id)
        if alert_id == 2:
            raise RuntimeError("the pipeline is broken")
        return Sent()

    monkeypatch.setattr(services, "alerts_due", lambda: [1, 2, 3])
    monkeypatch.setattr(services, "alert_dispatch", dispatch)
    assert scheduler_jobs.dispatch_due_alerts() == "1 failed, 2 sending"
    assert dispatched == [1, 2, 3]


def test_the_evidence_job_runs_the_scan_pending_evidence_command(monkeypatch):
    ran = []
    monkeypatch.setattr("django.core.management.call_command", lambda name, **kw: ran.append(name))
    scheduler_jobs.scan_pending_evidence()
    assert ran == ["scan_pending_evidence"]


def test_every_job_runs_on_an_empty_database(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path  # the evidence job purges old staged files there
    for job in scheduler_jobs.scheduled_jobs():
        if job.name == "backup_nightly":
            continue  # made outside a transaction, so tested transactionally (monitoring/tests/test_backups.py)
        job.run()


# --- The lock ------------------------------------------------------------------------------------------


def take(holder, now, *, gap=timedelta(seconds=30), hold=timedelta(minutes=2)):
    return job_lock_take(name="job", holder=holder, now=now, gap=gap, hold=hold)


def test_of_two_schedulers_ticking_together_one_takes_the_job():
    assert take("host a", T0) is True
    assert take("host b", T0) is False
    assert take("host b", T0 + timedelta(seconds=1)) is False
    row = JobLock.objects.get()
    assert (row.holder, row.started_at, row.held_until) == ("host a", T0, T0 + timedelta(minutes=2))


def test_a_job_is_run_again_once_it_ended_and_its_gap_has_passed_on_whichever_host_ticks_first():
    assert take("host a", T0)
    job_lock_release(name="job", holder="host a", started=T0, outcome="3 returned")
    row = JobLock.objects.get()
    assert (row.held_until, row.last_outcome) == (None, "3 returned")
    assert take("host b", T0 + timedelta(seconds=10)) is False  # the same tick, seen late on host b
    assert take("host b", T0 + timedelta(seconds=30)) is True


def test_a_job_still_running_is_not_taken_however_long_ago_it_started_until_its_hold_passes():
    """If its scheduler died mid-run, another host takes the job over once the hold has passed."""
    assert take("host a", T0)
    assert take("host b", T0 + timedelta(seconds=90)) is False
    assert take("host b", T0 + timedelta(minutes=2)) is True
    # The late run's release does not free the job from under its new holder.
    job_lock_release(name="job", holder="host a", started=T0, outcome="done")
    assert JobLock.objects.get().holder == "host b"
    assert JobLock.objects.get().held_until is not None


def test_job_run_runs_the_job_once_per_tick_however_many_schedulers_and_records_failures():
    runs = []

    def work():
        runs.append(1)
        if len(runs) == 2:
            raise ValueError("disk full")
        return 7

    job = scheduler_jobs.Job("counting", work, every=timedelta(minutes=10))
    assert job_run(job, holder="host a") == "7"
    assert job_run(job, holder="host b") is None
    assert runs == [1]
    JobLock.objects.update(started_at=T0)  # ten minutes on
    assert job_run(job, holder="host b") == "failed: ValueError: disk full"
    row = JobLock.objects.get(name="counting")
    assert (row.holder, row.held_until, row.last_outcome) == ("host b", None, "failed: ValueError: disk full")


def test_the_login_job_forgets_failed_sign_ins_past_the_lock_window(settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    now = timezone.now()
    old = AccessAttempt.objects.create(username="hq", ip_address="198.51.100.7", user_agent="", failures_since_start=5)
    fresh = AccessAttempt.objects.create(username="hq", ip_address="203.0.113.9", user_agent="", failures_since_start=1)
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=now - window - timedelta(seconds=1))
    assert by_name()["login_attempts_expire"].run() == 1
    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_task_results_job_prunes_old_finished_results_on_the_database_backend(settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.TASK_RESULTS_RETENTION_DAYS = 14
    now = timezone.now()

    def result(status, finished_days_ago):
        return DBTaskResult.objects.create(
            task_path="openbeat.core.messaging.transactional_send",
            backend_name="default",
            args_kwargs={"args": [1], "kwargs": {}},
            status=status,
            finished_at=now - timedelta(days=finished_days_ago),
        )

    old = result("SUCCESSFUL", 15)
    recent = result("SUCCESSFUL", 2)
    by_name()["prune_task_results"].run()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk}
    assert not DBTaskResult.objects.filter(pk=old.pk).exists()


def test_the_task_results_job_leaves_other_backends_alone(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    assert by_name()["prune_task_results"].run() == "not the database task backend"
