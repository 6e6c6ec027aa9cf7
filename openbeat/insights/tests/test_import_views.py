"""Uploading a file in the back office: queued as a task, with progress JSON; HQ Media only."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from openbeat.audit.models import AuditEntry
from openbeat.insights.models import ImportBatch, Observation
from openbeat.insights.tests.factories import AccountFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import UserFactory, client_for, staff_user

FILES = Path(__file__).parent / "files"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


@pytest.fixture
def hq():
    return staff_user(roles.HQ_MEDIA, None, username="hq")


def upload(client: Client, name: str, **data):
    file = SimpleUploadedFile(name, (FILES / name).read_bytes(), content_type="text/csv")
    return client.post(reverse("insights_staff:imports"), {"file": file, "format": "auto", **data})


def test_upload_queues_a_task_that_imports_and_reports_progress(
    hq, private, django_capture_on_commit_callbacks
) -> None:
    client = client_for(hq)
    assert client.get(reverse("insights_staff:imports")).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "canonical.csv")

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("insights_staff:import_progress", args=[batch.pk])
    assert (batch.status, batch.format, batch.rows_ok, batch.created_by) == ("done", "canonical", 5, hq)
    assert Observation.objects.filter(batch=batch).count() == 5
    # The upload does not outlive its import.
    assert batch.path == ""
    assert [path for path in private.rglob("*") if path.is_file()] == []
    status = client.get(reverse("insights_staff:import_status", args=[batch.pk])).json()
    assert status["state"] == "done"
    assert (status["processed"], status["total"], status["created"], status["error_count"]) == (9, 9, 5, 6)
    assert "line 8: period: '2025-13' is not a month (YYYY-MM) or a day (YYYY-MM-DD)" in status["errors"]
    page = client.get(reverse("insights_staff:import_progress", args=[batch.pk]))
    assert "line 12: the same figure as line 2" in page.content.decode()
    assert AuditEntry.objects.filter(action="insights.import.upload", actor=hq).exists()
    assert AuditEntry.objects.filter(action="insights.import.finish", target_id=str(batch.pk)).exists()


def test_uploading_the_same_file_twice_does_not_double_count(hq, django_capture_on_commit_callbacks) -> None:
    client = client_for(hq)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            upload(client, "meta_posts.csv")

    assert ImportBatch.objects.filter(status="done").count() == 2
    assert Observation.objects.get(metric__slug="posts", period_start__month=1).value == 3


def test_a_file_that_cannot_be_imported_is_refused_on_the_form(hq) -> None:
    response = upload(client_for(hq), "x_daily.csv")

    assert response.status_code == 200
    assert "choose the account it is for" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_export_without_its_account_imports_under_the_chosen_one(hq, django_capture_on_commit_callbacks) -> None:
    account = AccountFactory(platform="x", name="@EastPolice")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(hq), "x_daily.csv", account=account.pk)

    assert Observation.objects.filter(account=account).count() == 6


@pytest.mark.parametrize("kind", ["anonymous", "no role", "division lead", "board viewer"])
def test_outsiders_and_other_roles_are_refused(kind, refused, west) -> None:
    user = {
        "anonymous": None,
        "no role": UserFactory(username="public") if kind == "no role" else None,
        "division lead": staff_user(roles.DIVISION_LEAD, west, username="lead") if kind == "division lead" else None,
        "board viewer": staff_user(roles.BOARD_VIEWER, None, username="board") if kind == "board viewer" else None,
    }[kind]
    batch = ImportBatch.objects.create(format="canonical", filename="f.csv", sha256="0" * 64)
    client = client_for(user)

    assert refused(client.get(reverse("insights_staff:imports")))
    assert refused(upload(client, "canonical.csv"))
    assert refused(client.get(reverse("insights_staff:import_progress", args=[batch.pk])))
    assert refused(client.get(reverse("insights_staff:import_status", args=[batch.pk])))
    assert ImportBatch.objects.count() == 1


def test_the_insights_menu_offers_imports_and_entry_only_to_those_allowed(hq, west) -> None:
    lead = staff_user(roles.DIVISION_LEAD, west, username="lead")

    home = client_for(hq).get("/admin/").content.decode()
    assert reverse("insights_staff:imports") in home
    assert reverse("insights_staff:manual") in home
    assert reverse("insights_accounts:index") in home
    assert reverse("insights_staff:imports") not in client_for(lead).get("/admin/").content.decode()
