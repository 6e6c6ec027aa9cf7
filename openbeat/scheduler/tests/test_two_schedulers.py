"""Two real schedulers (`manage.py run_scheduler`) started at the same moment on one database, as two hosts
would be: each job runs once per tick between them, and a daily job whose time passed while neither ran is
made up for once, not twice."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from openbeat.core.tests.processes import REPO, app_environment, subprocess_database
from openbeat.scheduler.jobs import scheduled_jobs
from openbeat.scheduler.models import JobLock


def rows(sqlite_path: str | None, sql: str) -> list[tuple]:
    if sqlite_path is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    with sqlite3.connect(sqlite_path) as db:
        return db.execute(sql).fetchall()


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_started_at_once_run_each_job_once_and_catch_up_a_missed_run_once(tmp_path):
    JobLock.objects.create(name="reports_retention", started_at=timezone.now() - timedelta(days=2))
    database_url, sqlite_path = subprocess_database(tmp_path)
    # The deployed sweep interval (15 s): the test watches less than one interval, so one tick of each job.
    env = app_environment(tmp_path, database_url, TASKS_BACKEND="db", DELIVERY_SWEEP_SECONDS="15")
    interval_jobs = {job.name for job in scheduled_jobs() if job.every is not None}
    logs = [(tmp_path / f"scheduler{n}.log").open("w") for n in (1, 2)]
    started = [
        subprocess.Popen(
            [sys.executable, str(REPO / "manage.py"), "run_scheduler"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 60
        expected = interval_jobs | {"reports_retention"}
        while time.monotonic() < deadline:
            finished = {
                name
                for (name,) in rows(
                    sqlite_path, "SELECT DISTINCT job FROM scheduler_jobrun WHERE finished_at IS NOT NULL"
                )
            }
            if finished >= expected:
                break
            assert all(p.poll() is None for p in started), [log.name for log in logs]
            time.sleep(0.2)
        time.sleep(2)  # give the slower scheduler time to try (and fail) to take each job too
        assert all(p.poll() is None for p in started)
    finally:
        for process in started:
            process.terminate()
            process.wait(15)
        for log in logs:
            log.close()
    output = "".join(Path(log.name).read_text() for log in logs)
    runs = rows(sqlite_path, "SELECT job, holder, ok, caught_up FROM scheduler_jobrun ORDER BY id")
    by_job: dict[str, list[tuple]] = {}
    for job, holder, ok, caught_up in runs:
        by_job.setdefault(job, []).append((holder, bool(ok), bool(caught_up)))
    for name in interval_jobs:
        assert len(by_job.get(name, [])) == 1, (name, by_job.get(name), output[-3000:])
        assert by_job[name][0][1] is True, output[-3000:]
    assert [caught_up for _, _, caught_up in by_job["reports_retention"]] == [True], output[-3000:]
    # The other daily jobs never ran anywhere before, so there was nothing to make up for.
    assert not {"build_monthly_report", "login_attempts_expire", "prune_task_results"} & set(by_job)
    assert output.count("Scheduler ") >= 2  # both really ran
