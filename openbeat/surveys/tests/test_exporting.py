"""Exports: small ones at once, large ones by a task with progress, the file for permitted staff only, a killed
export started again by the recovery job, files deleted after their retention; and the responses export's rules
(small areas suppressed, free text only once shown)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from openbeat.audit.models import AuditEntry
from openbeat.scheduler import jobs
from openbeat.staff import roles
from openbeat.staff.tests.factories import client_for, staff_user
from openbeat.surveys import exporting, services
from openbeat.surveys.models import Answer, SurveyExport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    settings.SURVEYS_SMALL_NUMBER_MIN = 3
    settings.SURVEYS_EXPORT_BACKGROUND_OVER = 4
    return tmp_path


def answer(world, survey, ids, n: int, *, postcode=None, comment: str = "") -> None:
    for _ in range(n):
        services.response_submit(
            client_id=uuid.uuid4(),
            version=survey.current_version,
            answers=ids.answers(postcode=postcode or world.west_postcode, comment=comment),
        )


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def test_a_small_export_is_made_at_once(world, survey, ids):
    answer(world, survey, ids, 3)
    response = client_for(world.lead).get(f"/admin/surveys/{survey.pk}/responses.csv")
    assert response.status_code == 200
    table = rows(response.content)
    assert table[0][:6] == ["response", "submitted", "channel", "division", "neighbourhood", "version"]
    assert len(table) == 4
    assert not SurveyExport.objects.exists()
    assert AuditEntry.objects.filter(action="surveys.responses.export", actor=world.lead).exists()


def test_a_large_export_runs_as_a_task_with_progress_and_its_file_is_downloaded(
    world, survey, ids, django_capture_on_commit_callbacks, monkeypatch
):
    answer(world, survey, ids, 5, comment="Lovely")
    answer(world, survey, ids, 2, postcode=world.east_postcode)
    Answer.objects.filter(text="Lovely").update(moderation=Answer.Moderation.SHOWN)
    first = Answer.objects.filter(text="Lovely").order_by("pk").first()
    Answer.objects.filter(pk=first.pk).update(moderation=Answer.Moderation.HIDDEN)
    monkeypatch.setattr(exporting, "CHUNK", 2)

    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/admin/surveys/{survey.pk}/responses.csv")
    export = SurveyExport.objects.get()
    assert response["Location"] == f"/admin/surveys/{survey.pk}/exports/{export.pk}/"
    assert (export.state, export.done, export.total, export.attempts) == (SurveyExport.State.DONE, 7, 7, 1)
    assert export.requested_by == world.lead
    status = client.get(f"/admin/surveys/{survey.pk}/exports/{export.pk}/status/").json()
    assert status == {
        "state": "done",
        "state_label": "Ready to download",
        "done": 7,
        "total": 7,
        "error": "",
        "ready": True,
    }
    page = client.get(f"/admin/surveys/{survey.pk}/exports/{export.pk}/")
    assert "Download the file" in page.text
    download = client.get(f"/admin/surveys/{survey.pk}/exports/{export.pk}/download/")
    assert download.status_code == 200
    table = rows(b"".join(download.streaming_content))
    assert len(table) == 8
    # East has 2 responses (< 3): not named; West's are.
    divisions = sorted({row[3] for row in table[1:]})
    assert divisions == ["West", "suppressed"]
    comments = [row[-1] for row in table[1:]]
    assert comments.count("Lovely") == 4  # the hidden one and the unread ones are left out
    assert AuditEntry.objects.filter(action="surveys.export.download", actor=world.lead).exists()
    assert oct(Path(exporting.export_file(export)).stat().st_mode & 0o777) == "0o600"


def test_the_task_records_its_progress_as_it_goes(world, survey, ids, monkeypatch):
    answer(world, survey, ids, 5)
    monkeypatch.setattr(exporting, "CHUNK", 2)
    export = SurveyExport.objects.create(survey=survey, kind="responses", format="xlsx", requested_by=world.lead)
    progress: list[tuple[int, int]] = []
    real_build = exporting._build

    def watching(*args, **kwargs):
        for step in real_build(*args, **kwargs):
            yield step
            current = SurveyExport.objects.get(pk=export.pk)
            progress.append((current.done, current.total))

    monkeypatch.setattr(exporting, "_build", watching)
    exporting.export_run(export_id=export.pk)
    assert progress[:3] == [(2, 5), (4, 5), (5, 5)]
    export.refresh_from_db()
    workbook = load_workbook(exporting.export_file(export))
    sheet = workbook["Responses"]
    assert sheet.max_row == 6
    # Run again (a task delivered twice): nothing happens.
    assert exporting.export_run(export_id=export.pk) is None


def test_a_results_export_in_the_background_holds_the_suppressed_tables(
    world, survey, ids, django_capture_on_commit_callbacks
):
    answer(world, survey, ids, 5)
    client = client_for(world.lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/admin/surveys/{survey.pk}/results.xlsx")
    export = SurveyExport.objects.get()
    assert (export.kind, export.state) == ("results", "done")
    workbook = load_workbook(exporting.export_file(export))
    assert workbook["About"]["A1"].value == "Feeling safe"


def test_the_file_is_for_the_requester_and_permitted_staff_only(world, survey, ids, refused):
    answer(world, survey, ids, 5)
    export = SurveyExport.objects.create(survey=survey, kind="responses", format="csv", requested_by=world.lead)
    exporting.export_run(export_id=export.pk)
    base = f"/admin/surveys/{survey.pk}/exports/{export.pk}"
    assert client_for(world.officer).get(f"{base}/download/").status_code == 200  # sees all the survey's results
    assert client_for(world.other).get(f"{base}/download/").status_code == 404
    assert client_for(world.other).get(f"{base}/status/").status_code == 404
    assert refused(client_for(world.public).get(f"{base}/download/"))
    assert refused(client_for(world.public).get(f"{base}/"))


def test_a_division_limited_export_of_a_force_wide_survey_is_not_for_other_divisions(world, refused):
    from openbeat.surveys.tests.conftest import build_survey

    survey = build_survey(world.hq, division=None, slug="force")
    services.survey_publish(survey=survey, actor=world.hq)
    export = SurveyExport.objects.create(
        survey=survey, kind="responses", format="csv", requested_by=world.hq, divisions=None
    )
    exporting.export_run(export_id=export.pk)
    url = f"/admin/surveys/{survey.pk}/exports/{export.pk}/download/"
    assert client_for(world.hq).get(url).status_code == 200
    # West's lead sees only West's responses: an export of everything is not theirs to download.
    assert refused(client_for(world.lead).get(url))
    mine = SurveyExport.objects.create(
        survey=survey, kind="responses", format="csv", requested_by=world.other, divisions=[world.east.pk]
    )
    exporting.export_run(export_id=mine.pk)
    assert client_for(world.other).get(f"/admin/surveys/{survey.pk}/exports/{mine.pk}/download/").status_code == 200
    assert refused(client_for(world.lead).get(f"/admin/surveys/{survey.pk}/exports/{mine.pk}/download/"))


def test_a_killed_export_is_started_again_by_the_recovery_job(world, survey, ids, private):
    answer(world, survey, ids, 5)
    export = SurveyExport.objects.create(
        survey=survey,
        kind="responses",
        format="csv",
        requested_by=world.lead,
        state=SurveyExport.State.RUNNING,
        done=2,
        total=5,
        attempts=1,
        lease_until=timezone.now() + timedelta(minutes=1),
    )
    # While its lease runs, the worker is taken to be alive: nothing is done.
    assert exporting.export_run(export_id=export.pk) is None
    jobs.survey_exports()
    export.refresh_from_db()
    assert export.state == SurveyExport.State.RUNNING
    # The worker died: its lease lapses, and the scheduler's job queues it again (run at once in tests).
    SurveyExport.objects.filter(pk=export.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert "1 requeued" in jobs.survey_exports()
    export.refresh_from_db()
    assert (export.state, export.done, export.total, export.attempts) == ("done", 5, 5, 2)
    assert len(rows(exporting.export_file(export).read_bytes())) == 6
    assert not list(Path(private).rglob("*.part"))


def test_an_export_that_keeps_dying_fails_in_the_end(world, survey):
    export = SurveyExport.objects.create(
        survey=survey,
        kind="responses",
        format="csv",
        state=SurveyExport.State.RUNNING,
        attempts=exporting.MAX_ATTEMPTS,
        lease_until=timezone.now() - timedelta(minutes=1),
    )
    assert exporting.exports_recover()["failed"] == 1
    export.refresh_from_db()
    assert export.state == SurveyExport.State.FAILED
    assert "unexpected error" in export.error


def test_files_are_deleted_after_their_retention(world, survey, ids, settings):
    settings.SURVEYS_EXPORT_RETENTION_DAYS = 7
    answer(world, survey, ids, 3)
    export = SurveyExport.objects.create(survey=survey, kind="responses", format="csv", requested_by=world.lead)
    export = exporting.export_run(export_id=export.pk)
    path = exporting.export_file(export)
    assert path is not None
    exporting.exports_recover(now=timezone.now() + timedelta(days=6))
    assert path.exists()
    counts = exporting.exports_recover(now=timezone.now() + timedelta(days=8))
    assert counts["deleted"] == 1
    assert not path.exists()
    export.refresh_from_db()
    assert exporting.export_file(export) is None
    assert client_for(world.lead).get(f"/admin/surveys/{survey.pk}/exports/{export.pk}/download/").status_code == 404


def test_fewer_responses_than_the_minimum_export_nothing(world, survey, ids):
    answer(world, survey, ids, 2)
    table = rows(client_for(world.lead).get(f"/admin/surveys/{survey.pk}/responses.csv").content)
    assert len(table) == 2
    assert table[1][0].startswith("Fewer than 3 responses")


def test_the_survey_exports_job_is_scheduled():
    assert "survey_exports" in {job.name for job in jobs.scheduled_jobs()}


def test_a_user_with_results_in_no_division_cannot_export(world, survey, refused):
    stranger = staff_user(roles.NEIGHBOURHOOD_OFFICER, world.east, username="officer-east")
    assert client_for(stranger).get(f"/admin/surveys/{survey.pk}/responses.csv").status_code == 404


def test_the_command_does_what_the_job_does(world, survey):
    from django.core.management import call_command

    SurveyExport.objects.create(
        survey=survey,
        kind="responses",
        format="csv",
        state=SurveyExport.State.RUNNING,
        attempts=exporting.MAX_ATTEMPTS,
        lease_until=timezone.now() - timedelta(minutes=1),
    )
    out = io.StringIO()
    call_command("survey_exports", stdout=out)
    assert "1 failed" in out.getvalue()
