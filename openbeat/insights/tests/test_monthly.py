"""The monthly board report: built once per month after the month turns, the board emailed a link, not the file."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import task_backends
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.insights.models import InsightsSettings, ReportBuild
from openbeat.insights.report_tasks import (
    board_emails,
    monthly_report_due,
    monthly_report_run,
    monthly_report_schedule,
    monthly_report_task,
    next_monthly_run,
)

pytestmark = pytest.mark.django_db

APRIL_1 = datetime(2026, 4, 1, 5, 0, tzinfo=UTC)  # 06:00 in London (BST)
DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    settings.BASE_URL = "https://openbeat.example"
    return tmp_path


@pytest.fixture
def board_list():
    config = InsightsSettings.load()
    config.board_emails = "chair@board.example\n  not an address \nSecretary@Board.example\nchair@BOARD.example\n"
    config.save()
    return config


def test_last_month_is_due_from_the_first_until_built(board_list):
    assert monthly_report_due(APRIL_1) == "2026-03"
    assert monthly_report_due(datetime(2026, 4, 17, 12, tzinfo=UTC)) == "2026-03"  # a missed 1st catches up
    assert monthly_report_due(datetime(2026, 3, 31, 22, 59, tzinfo=UTC)) == "2026-02"  # still March in London
    build = ReportBuild.objects.create(period_from="2026-03", period_to="2026-03", format="pdf", scheduled=True)
    assert monthly_report_due(APRIL_1) is None
    ReportBuild.objects.filter(pk=build.pk).update(status=ReportBuild.Status.FAILED)
    assert monthly_report_due(APRIL_1) == "2026-03"  # a failed build is tried again
    # A report someone built by hand for the month does not stand in for the board's.
    ReportBuild.objects.filter(pk=build.pk).update(status=ReportBuild.Status.DONE, scheduled=False)
    assert monthly_report_due(APRIL_1) == "2026-03"


def test_nothing_is_due_when_monthly_reports_are_off(board_list):
    board_list.monthly_report = False
    board_list.save()
    assert monthly_report_due(APRIL_1) is None
    assert monthly_report_run(now=APRIL_1) is None


def test_the_board_list_is_each_address_once():
    config = InsightsSettings.load()
    config.board_emails = "a@x.example\n\nb@x.example\nnot valid\nA@X.example"
    config.save()
    assert board_emails() == ["a@x.example", "b@x.example"]


def test_the_monthly_build_emails_the_board_a_link_once(board_list, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        build = monthly_report_run(now=APRIL_1)
    assert build is not None
    build.refresh_from_db()
    assert (build.period_from, build.period_to, build.format, build.scheduled, build.status) == (
        "2026-03",
        "2026-03",
        "pdf",
        True,
        "done",
    )
    sent = sorted(mail.outbox, key=lambda message: message.to[0])
    assert [message.to for message in sent] == [["Secretary@Board.example"], ["chair@board.example"]]
    link = "https://openbeat.example" + reverse("insights_staff:report_build", args=[build.pk])
    for message in sent:
        assert message.subject == "Board report ready: March 2026"
        assert link in message.body
        assert not message.attachments
    notify = AuditEntry.objects.get(action="insights.report.notify")
    assert notify.data == {"recipients": 2}

    with django_capture_on_commit_callbacks(execute=True):
        assert monthly_report_run(now=APRIL_1) is None
    assert ReportBuild.objects.count() == 1
    assert len(mail.outbox) == 2


def test_a_report_asked_for_by_hand_emails_nobody(board_list, django_capture_on_commit_callbacks):
    from openbeat.insights.report_tasks import report_build_request

    with django_capture_on_commit_callbacks(execute=True):
        build = report_build_request(period_from="2026-03", period_to="2026-03", output_format="json")
    build.refresh_from_db()
    assert build.status == "done"
    assert mail.outbox == []


def test_the_next_run_is_the_first_of_next_month_at_six_in_london():
    assert next_monthly_run(APRIL_1).isoformat() == "2026-05-01T06:00:00+01:00"
    assert next_monthly_run(datetime(2026, 12, 15, tzinfo=UTC)).isoformat() == "2027-01-01T06:00:00+00:00"


def test_the_task_builds_then_queues_itself_for_the_next_first(
    settings, board_list, django_capture_on_commit_callbacks
):
    settings.TASKS = DUMMY_TASKS
    backend = task_backends["default"]
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        when = monthly_report_schedule(now=APRIL_1)
    assert [(result.task.name, result.task.run_after) for result in backend.results] == [("monthly_report_task", when)]
    assert when == next_monthly_run(APRIL_1)


def test_without_a_deferring_backend_the_task_runs_once_and_cron_takes_over(
    board_list, django_capture_on_commit_callbacks
):
    # The tests' immediate backend cannot defer: the task builds and does not try to queue itself.
    with django_capture_on_commit_callbacks(execute=True):
        result = monthly_report_task.enqueue()
    assert result.return_value.startswith("build ")
    assert monthly_report_schedule() is None


def test_the_cron_command(board_list, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("build_monthly_report", stdout=out)
    build = ReportBuild.objects.get()
    assert f"Asked for the board report for {build.period_from} (build {build.pk})." in out.getvalue()
    out = io.StringIO()
    call_command("build_monthly_report", "--schedule", stdout=out)
    assert "already built or asked for" in out.getvalue()
    assert "cannot defer tasks: run this command from cron instead" in out.getvalue()
