"""The run log, the catch-up of a missed daily run, and the back office's Scheduled jobs page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from django.urls import reverse
from django.utils import timezone

from openbeat.areas.tests.factories import DivisionFactory
from openbeat.scheduler import jobs as scheduler_jobs
from openbeat.scheduler.management.commands.run_scheduler import _after, build_scheduler
from openbeat.scheduler.models import JobLock, JobRun
from openbeat.scheduler.services import job_run, job_runs_prune, missed_run
from openbeat.staff import roles
from openbeat.staff.tests.factories import client_for, staff_user

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
DAILY_0330 = _after(CronTrigger(hour=3, minute=30, timezone=LONDON))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("last_started", "now", "missed"),
    [
        (None, at(10, 8), None),  # never ran anywhere: a new install waits for its time
        (at(10, 3, 30), at(10, 8), None),  # ran today at its time
        (at(9, 3, 30), at(10, 3, 29), None),  # today's time has not come yet
        (at(9, 3, 30), at(10, 8), at(10, 3, 30)),  # every host was down at 03:30 today
        (at(2, 3, 30), at(10, 8), at(10, 3, 30)),  # a week down: one run, for the last time missed
    ],
)
def test_a_daily_job_missed_while_no_scheduler_ran_is_run_once_for_its_last_time(last_started, now, missed):
    assert missed_run(fire_times=DAILY_0330, last_started=last_started, now=now) == missed


def test_a_scheduler_starting_after_a_missed_time_adds_one_catch_up_run_for_that_job_only(settings):
    settings.TIME_ZONE = "Europe/London"
    now = timezone.now()
    JobLock.objects.create(name="reports_retention", started_at=now - timedelta(days=2))
    JobLock.objects.create(name="login_attempts_expire", started_at=now - timedelta(minutes=1))
    scheduler = build_scheduler(scheduler_jobs.scheduled_jobs(), holder="host a")
    catch_up = [job for job in scheduler.get_jobs() if job.kwargs.get("caught_up")]
    assert [job.name for job in catch_up] == ["reports_retention"]
    # ...beside its usual daily entry; and a job that never ran (no row) is not made up for.
    assert sum(job.name == "reports_retention" for job in scheduler.get_jobs()) == 2


def test_every_run_is_recorded_with_its_outcome_and_a_failure_says_so():
    calls = []

    def work():
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("mail server refused")
        return "3 sent"

    job = scheduler_jobs.Job("recorded", work, every=timedelta(minutes=10))
    job_run(job, holder="host a", caught_up=True)
    assert job_run(job, holder="host b") is None  # taken by host a this tick: not run, not recorded
    JobLock.objects.update(started_at=timezone.now() - timedelta(minutes=10))
    job_run(job, holder="host b")
    first, second = JobRun.objects.order_by("started_at")
    assert (first.holder, first.ok, first.outcome, first.caught_up) == ("host a", True, "3 sent", True)
    assert first.finished_at >= first.started_at
    assert (second.holder, second.ok, second.outcome) == ("host b", False, "failed: RuntimeError: mail server refused")


def test_the_run_log_is_pruned_after_its_retention():
    now = datetime(2026, 3, 30, tzinfo=UTC)
    for days in (31, 29):
        JobRun.objects.create(job="x", holder="h", started_at=now - timedelta(days=days))
    assert job_runs_prune(days=30, now=now) == 1
    assert JobRun.objects.get().started_at == now - timedelta(days=29)


def test_the_prune_job_is_scheduled_daily_and_uses_the_setting(settings):
    settings.JOB_RUNS_RETENTION_DAYS = 1
    JobRun.objects.create(job="x", holder="h", started_at=timezone.now() - timedelta(days=2))
    job = {j.name: j for j in scheduler_jobs.scheduled_jobs()}["prune_job_runs"]
    assert job.cron == {"hour": 4, "minute": 45}
    assert job.run() == "1 old runs deleted"


# --- The page -------------------------------------------------------------------------------------------


@pytest.fixture
def runs():
    now = timezone.now()
    JobLock.objects.create(
        name="send_digests", holder="web1 pid 7", started_at=now, finished_at=now, last_outcome="failed: OSError: x"
    )
    JobRun.objects.create(
        job="send_digests", holder="web1 pid 7", started_at=now, finished_at=now, ok=False, outcome="failed: OSError: x"
    )
    JobRun.objects.create(
        job="outbox_sweep",
        holder="web2 pid 9",
        started_at=now - timedelta(seconds=15),
        finished_at=now,
        ok=True,
        outcome="0 batches taken back",
    )


def test_administrators_see_every_job_its_last_run_and_the_failures(runs):
    page = client_for(staff_user(roles.ADMINISTRATOR, None)).get(reverse("scheduled_jobs"))
    assert page.status_code == 200
    text = page.content.decode()
    for job in scheduler_jobs.scheduled_jobs():
        assert job.name in text
    assert "Failed:</strong> OSError: x" in text
    assert "web2 pid 9" in text
    assert "15.0 s" in text
    failed = client_for(staff_user(roles.ADMINISTRATOR, None, username="a2")).get(
        reverse("scheduled_jobs"), {"failed": "1"}
    )
    assert "0 batches taken back" not in failed.content.decode()


@pytest.mark.parametrize("role", [roles.NEIGHBOURHOOD_OFFICER, roles.CONTACT_CENTRE, roles.BOARD_VIEWER])
def test_other_roles_and_outsiders_cannot_see_the_jobs(runs, role, client):
    division = DivisionFactory()
    # The back office turns a refusal into a redirect to its home page, saying so; an outsider goes to sign in.
    refused = client_for(staff_user(role, division)).get(reverse("scheduled_jobs"))
    assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    outsider = client.get(reverse("scheduled_jobs"))
    assert outsider.status_code == 302
    assert outsider["Location"].startswith("/admin/login/")
