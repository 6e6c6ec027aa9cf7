"""Importing subscribers in the back office: upload, the background job, its progress, and who may do it."""

from __future__ import annotations

import stat

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from openbeat.areas.tests.factories import NeighbourhoodFactory, PostcodeFactory
from openbeat.audit.models import AuditEntry
from openbeat.core import sms
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, staff_user
from openbeat.subscriptions.importers import IMPORT_FOLDER, import_job_run
from openbeat.subscriptions.models import ImportJob, Subscriber
from openbeat.subscriptions.tasks import import_job_task
from openbeat.subscriptions.views import staff

pytestmark = pytest.mark.django_db

UPLOAD = "/admin/in-the-know/import/"
HEADER = "email,phone,postcode,interests,consent_date,consent_source"
GOOD = f"{HEADER}\nann@example.com,,DM1 1AB,,2023-04-01,Neighbourhood Alert\nbad,,DM1 1AB,,2023-04-01,NA\n"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture
def place(west):
    neighbourhood = NeighbourhoodFactory(division=west)
    PostcodeFactory(postcode="DM1 1AB", neighbourhood=neighbourhood)
    return neighbourhood


@pytest.fixture
def owner():
    return staff_user(roles.HQ_MEDIA, username="hq")


@pytest.fixture
def other_role(west):
    return staff_user(roles.DIVISION_LEAD, west, username="lead.west")


@pytest.fixture
def outsider():
    return UserFactory(username="member.of.public")


def csv_upload(text: str = GOOD, *, name: str = "export.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def stored_files(root) -> list:
    folder = root / IMPORT_FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_owner_uploads_a_file_that_is_imported_in_the_background_and_nobody_is_sent_anything(
    client, owner, place, private_storage, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    assert client.get(UPLOAD).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"file": csv_upload(), "consent_source": ""})

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{UPLOAD}{job.pk}/"
    assert (job.state, job.total, job.processed, job.created, job.skipped) == ("done", 2, 2, 1, 1)
    assert job.created_by == owner
    assert job.file_name == "export.csv"
    assert job.finished_at is not None
    assert Subscriber.objects.get().email == "ann@example.com"
    assert mail.outbox == []
    assert sms.outbox == []
    # The file of personal data is gone once its job has finished.
    assert stored_files(private_storage) == []
    assert job.stored_file == ""

    page = client.get(f"{UPLOAD}{job.pk}/").content.decode()
    assert "line 3: email: not a valid email address" in page
    assert "core/staff/import_progress.js" in page


def test_the_progress_endpoint_says_how_far_the_job_has_got(client, owner, place, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(UPLOAD, {"file": csv_upload()})
    job = ImportJob.objects.get()

    response = client.get(f"{UPLOAD}{job.pk}/status.json")

    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "state": "done",
        "state_label": "Finished",
        "processed": 2,
        "total": 2,
        "created": 1,
        "unchanged": 0,
        "skipped": 1,
        "error_count": 1,
        "errors": ["line 3: email: not a valid email address"],
        "failure": "",
    }


def test_the_file_waits_privately_until_the_job_runs(
    client, owner, place, private_storage, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(UPLOAD, {"file": csv_upload(), "consent_source": "Ringmaster"})

    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.QUEUED
    [stored] = stored_files(private_storage)
    assert stored.read_text() == GOOD
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert client.get(f"{UPLOAD}{job.pk}/status.json").json()["state"] == "queued"

    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert stored_files(private_storage) == []


def test_the_default_consent_source_fills_empty_cells(client, owner, place, django_capture_on_commit_callbacks):
    client.force_login(owner)
    text = "email,postcode,consent_date\nann@example.com,DM1 1AB,2023-04-01\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(UPLOAD, {"file": csv_upload(text), "consent_source": "Ringmaster"})

    assert Subscriber.objects.get().consents.get().source == "import: Ringmaster"


def test_only_the_first_200_errors_are_kept_for_the_page_with_the_full_count(
    client, owner, place, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    rows = "".join(f"bad{n},,DM1 1AB,,2023-04-01,NA\n" for n in range(250))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(UPLOAD, {"file": csv_upload(f"{HEADER}\n{rows}ann@example.com,,DM1 1AB,,2023-04-01,NA\n")})

    status = client.get(f"{UPLOAD}{ImportJob.objects.get().pk}/status.json").json()
    assert (status["error_count"], len(status["errors"]), status["created"]) == (250, 200, 1)
    assert status["errors"][0] == "line 2: email: not a valid email address"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (csv_upload("é,postcode\n", encoding="latin-1"), "not UTF-8 text"),
        (SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="text/csv"), "UTF-8"),
        (csv_upload("name,address\nAnn,1 High St\n"), "This file cannot be imported. No column &#x27;postcode&#x27;"),
        (csv_upload(f"{HEADER}\n"), "no rows"),
        (csv_upload(""), "The submitted file is empty"),
        (csv_upload('email,postcode,consent_date\n"a@example.com,DM1 1AB\n'), "Line 2: not valid CSV"),
    ],
)
def test_a_file_that_is_not_a_csv_of_subscribers_is_refused_by_its_content(
    client, owner, place, private_storage, upload, message
):
    client.force_login(owner)

    response = client.post(UPLOAD, {"file": upload})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()
    assert stored_files(private_storage) == []


def test_a_csv_is_recognised_by_its_content_whatever_its_name(client, owner, place, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"file": csv_upload(f"\ufeff{GOOD}", name="export from NA.txt")})

    assert response.status_code == 302
    assert Subscriber.objects.count() == 1


def test_a_file_over_the_size_limit_is_refused(client, owner, place, monkeypatch):
    monkeypatch.setattr(staff, "MAX_UPLOAD_BYTES", len(GOOD) - 1)
    client.force_login(owner)

    response = client.post(UPLOAD, {"file": csv_upload()})

    assert "larger than 20 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_administrator_may_import_too(client, place):
    client.force_login(staff_user(roles.ADMINISTRATOR, username="admin"))

    assert client.get(UPLOAD).status_code == 200


def test_the_upload_and_the_job_finishing_are_audit_logged_with_counts_only(
    client, owner, place, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(UPLOAD, {"file": csv_upload()})
    job = ImportJob.objects.get()

    upload = AuditEntry.objects.get(action="subscriptions.import.upload")
    finish = AuditEntry.objects.get(action="subscriptions.import.finish")
    assert (upload.actor, upload.target_id, upload.data) == (owner, str(job.pk), {"rows": 2})
    assert finish.actor == owner
    assert finish.data == {"state": "done", "rows": 2, "created": 1, "unchanged": 0, "skipped": 1, "errors": 1}
    assert "example.com" not in str(upload.data) + str(finish.data) + upload.target_label + finish.target_label


def test_another_role_may_neither_see_nor_upload_nor_follow_an_import(
    client, other_role, owner, place, refused, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(UPLOAD, {"file": csv_upload()})
    job = ImportJob.objects.get()
    client.force_login(other_role)

    assert refused(client.get(UPLOAD))
    assert refused(client.post(UPLOAD, {"file": csv_upload()}))
    assert refused(client.get(f"{UPLOAD}{job.pk}/"))
    assert refused(client.get(f"{UPLOAD}{job.pk}/status.json"))
    assert ImportJob.objects.count() == 1
    assert "Import subscribers" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("who", ["anonymous", "no role"])
def test_outsiders_may_neither_upload_nor_follow_an_import(client, outsider, place, refused, who):
    job = ImportJob.objects.create(file_name="export.csv", total=2)
    if who == "no role":
        client.force_login(outsider)

    assert refused(client.get(UPLOAD))
    assert refused(client.post(UPLOAD, {"file": csv_upload()}))
    assert refused(client.get(f"{UPLOAD}{job.pk}/"))
    assert refused(client.get(f"{UPLOAD}{job.pk}/status.json"))
    assert ImportJob.objects.count() == 1


def test_the_owner_finds_the_page_in_the_in_the_know_menu(client, owner):
    client.force_login(owner)

    dashboard = client.get("/admin/").content.decode()

    assert "In the Know" in dashboard
    assert "Import subscribers" in dashboard
    assert UPLOAD in dashboard


def test_a_job_runs_once_however_often_its_task_is_delivered(client, owner, place, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(UPLOAD, {"file": csv_upload()})
    job = ImportJob.objects.get()

    import_job_task.call(job.pk)

    assert import_job_run(job_id=job.pk) is None
    assert Subscriber.objects.count() == 1
    assert AuditEntry.objects.filter(action="subscriptions.import.finish").count() == 1


def test_a_job_whose_file_has_gone_fails_saying_so(place):
    job = ImportJob.objects.create(file_name="export.csv", stored_file=f"{IMPORT_FOLDER}/gone.csv", total=2)

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert "cannot read the file" in job.failure
    assert AuditEntry.objects.get(action="subscriptions.import.finish").data["state"] == "failed"
