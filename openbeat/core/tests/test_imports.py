"""The shared upload -> import job -> live progress flow (core.imports), apart from any one import."""

import json
import stat

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from openbeat.core import imports
from openbeat.core.models import TransactionalMessage

pytestmark = pytest.mark.django_db
State = TransactionalMessage.State


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    return settings.PRIVATE_STORAGE_ROOT


def message(**fields) -> TransactionalMessage:
    return TransactionalMessage.objects.create(
        channel="email", to="a@example.com", body_text="x", purpose="t.t", **fields
    )


def progress_of(row: TransactionalMessage) -> imports.ImportProgress:
    return {
        "state": row.state,
        "state_label": row.get_state_display(),
        "processed": row.attempts,
        "total": 3,
        "created": 0,
        "unchanged": 0,
        "error_count": 0,
        "errors": [],
        "failure": row.last_error,
    }


def test_an_upload_is_kept_privately_until_discarded(private_storage):
    stored = imports.upload_keep(b"a,b\n1,2\n", folder="things", suffix=".csv")

    assert stored.startswith("things/")
    assert stored.endswith(".csv")
    path = imports.upload_path(stored)
    assert path == private_storage / stored
    assert path.read_bytes() == b"a,b\n1,2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    imports.upload_discard(stored)
    assert not path.exists()
    imports.upload_discard(stored)  # already gone: nothing to do
    imports.upload_discard("")


def test_the_task_is_queued_only_when_the_transaction_commits(django_capture_on_commit_callbacks):
    queued = []

    class Task:
        def enqueue(self, pk):
            queued.append(pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        imports.job_queue(Task(), 42)
        assert queued == []
    assert len(callbacks) == 1
    assert queued == [42]


def test_only_a_queued_job_is_claimed_and_only_once():
    row = message()
    claim = {"field": "state", "queued": State.CREATED, "running": State.SENDING}

    assert imports.job_claim(TransactionalMessage, row.pk, **claim) is True
    assert imports.job_claim(TransactionalMessage, row.pk, **claim) is False
    assert imports.job_claim(TransactionalMessage, row.pk + 1, **claim) is False
    row.refresh_from_db()
    assert row.state == State.SENDING


class Form:
    def __init__(self, valid):
        self.valid = valid

    def is_valid(self):
        return self.valid


def test_a_valid_upload_starts_the_job_and_goes_to_its_progress_page():
    started = []

    def start():
        started.append(message())
        return started[-1]

    request = RequestFactory().post("/upload/")
    # Any URL name taking the job's id stands in for an import's progress page.
    response = imports.import_upload_page(
        request, form=Form(True), start=start, progress_url="wagtailusers_users:edit", template="t.html", context={}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailusers_users:edit", args=[started[0].pk])


def test_an_invalid_upload_shows_the_form_again_and_starts_nothing():
    form = Form(False)
    request = RequestFactory().post("/upload/")

    response = imports.import_upload_page(
        request, form=form, start=lambda: pytest.fail("started"), progress_url="x", template="t.html", context={"n": 1}
    )

    assert response.template_name == "t.html"
    assert response.context_data == {"form": form, "n": 1}


def test_the_status_endpoint_answers_those_allowed_with_the_jobs_progress():
    row = message(attempts=2)
    view = imports.import_status_view(
        model=TransactionalMessage, status=progress_of, permission="core.view_transactionalmessage"
    )
    request = RequestFactory().get("/status.json")
    request.user = User.objects.create(username="admin", is_superuser=True)

    response = view(request, row.pk)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == progress_of(row)


def test_the_status_endpoint_refuses_others_and_answers_only_get():
    row = message()
    view = imports.import_status_view(
        model=TransactionalMessage, status=progress_of, permission="core.view_transactionalmessage"
    )
    request = RequestFactory().get("/status.json")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        view(request, row.pk)
    post = RequestFactory().post("/status.json")
    post.user = User.objects.create(username="admin", is_superuser=True)
    assert view(post, row.pk).status_code == 405
