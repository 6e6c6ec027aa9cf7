"""The reporter's status pages: a link by email for a matching reference and address, signing in with it, the
status and reporter-visible timeline, replying and adding files."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from openbeat.reports.models import Evidence, Report, ReportEvent
from openbeat.reports.references import reference_prefix
from openbeat.reports.services import report_message_to_reporter, report_note_add, report_status_set
from openbeat.reports.status_tokens import status_token_make
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory
from openbeat.staff import roles
from openbeat.staff.tests.factories import staff_user

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent / "files"


@pytest.fixture
def report(settings, tmp_path, west):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    report_type = ReportTypeFactory(slug="crime", name="Report a crime", allows_evidence=True, max_evidence_files=2)
    return ReportFactory(
        report_type=report_type,
        reference="LC-2026-000042",
        reporter_email="Ann@Example.com",
        neighbourhood__division=west,
    )


@pytest.fixture
def officer(report):
    return staff_user(roles.NEIGHBOURHOOD_OFFICER, report.division)


def sign_in(client, report) -> None:
    assert client.post(f"/report/status/link/{status_token_make(report)}/")["Location"] == "/report/status/report/"


def link_from(message) -> str:
    return re.search(r"https?://\S+(/report/status/link/\S+/)", message.body).group(1)


def test_a_matching_reference_and_email_get_a_link_and_anything_else_the_same_answer(
    client, report, django_capture_on_commit_callbacks
):
    page = client.get("/report/status/")
    assert page.status_code == 200
    assert "Reference number" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        wrong = client.post("/report/status/", {"reference": "LC-2026-000042", "email": "bob@example.com"})
        other = client.post("/report/status/", {"reference": "LC-2026-000041", "email": "ann@example.com"})
        right = client.post("/report/status/", {"reference": " lc-2026-000042 ", "email": "ann@example.COM"})
    assert wrong["Location"] == other["Location"] == right["Location"] == "/report/status/check-your-email/"
    assert [m.to for m in mail.outbox] == [["Ann@Example.com"]]
    assert "LC-2026-000042" in mail.outbox[0].subject

    # The link shows a button (a mail scanner following it signs nobody in); pressing it signs in.
    link = link_from(mail.outbox[0])
    assert "Continue to your report" in client.get(link).text
    assert client.get("/report/status/report/")["Location"] == "/report/status/?signed-out=1"
    assert client.post(link)["Location"] == "/report/status/report/"
    assert "LC-2026-000042" in client.get("/report/status/report/").text


def test_the_link_request_needs_both_fields_and_is_rate_limited(client, report):
    response = client.post("/report/status/", {"reference": "", "email": "nope"})
    assert 'href="#id_reference"' in response.text
    assert 'href="#id_email"' in response.text
    for _ in range(4):
        client.post("/report/status/", {"reference": "X", "email": "ann@example.com"})
    assert client.post("/report/status/", {"reference": "X", "email": "ann@example.com"}).status_code == 429


def test_bad_expired_and_outdated_links_are_refused(client, report, monkeypatch):
    token = status_token_make(report)
    assert client.get(f"/report/status/link/{token}x/").status_code == 400
    now = time.time()
    with monkeypatch.context() as patched:
        patched.setattr("django.core.signing.time.time", lambda: now - 25 * 3600)
        old = status_token_make(report)
    assert client.post(f"/report/status/link/{old}/").status_code == 410
    # A link for another address on the report (it was corrected) no longer works.
    Report.objects.filter(pk=report.pk).update(reporter_email="someone@example.com")
    assert client.post(f"/report/status/link/{token}/").status_code == 400
    assert client.get("/report/status/report/").status_code == 302


def test_the_status_page_shows_status_note_and_only_what_the_reporter_may_see(client, report, officer):
    report_note_add(report=report, actor=officer, body="Internal: suspect known to us")
    report_message_to_reporter(report=report, actor=officer, body="Can you send a photo of the damage?")
    report_status_set(
        report=report, actor=officer, status=Report.Status.AWAITING_REPORTER, public_note="Waiting for a photo"
    )
    sign_in(client, report)
    page = client.get("/report/status/report/")
    assert page["Cache-Control"].startswith("max-age=0")
    text = page.text
    assert "Waiting for a reply from you" in text
    assert "Waiting for a photo" in text
    assert "Can you send a photo of the damage?" in text
    assert "Internal: suspect known to us" not in text
    assert "Send message" in text
    assert "Upload this file" in text


def test_the_status_page_shows_what_the_reporter_told_us(client, report):
    """The confirmation email no longer carries a copy of the report: the reporter reads it here, after the
    magic link has shown the address is theirs."""
    Report.objects.filter(pk=report.pk).update(
        answers_shown=[
            {"key": "what", "label": "What happened?", "answer": "My shed was broken into\nand a bike taken"},
            {"key": "when", "label": "When?", "answer": ""},
        ]
    )
    report.refresh_from_db()
    sign_in(client, report)
    text = client.get("/report/status/report/").text
    assert "What you told us" in text
    assert "What happened?" in text
    assert "My shed was broken into<br>and a bike taken" in text
    assert "Not answered" in text


def test_the_reporter_replies_and_adds_a_file(client, report):
    sign_in(client, report)
    response = client.post("/report/status/report/reply/", {"body": "   "})
    assert response.status_code == 200
    assert 'href="#id_body"' in response.text
    assert client.post("/report/status/report/reply/", {"body": "Here you are"})["Location"] == "/report/status/report/"
    assert ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.FROM_REPORTER, body="Here you are").exists()
    page = client.get("/report/status/report/").text
    assert "Your message has been sent." in page
    assert "Here you are" in page

    photo = SimpleUploadedFile("damage.jpg", (FILES / "photo.jpg").read_bytes(), content_type="image/jpeg")
    assert client.post("/report/status/report/add-file/", {"file": photo})["Location"] == "/report/status/report/"
    assert [e.original_name for e in Evidence.objects.filter(report=report)] == ["damage.jpg"]
    disguised = SimpleUploadedFile("x.jpg", (FILES / "disguised-program.jpg").read_bytes(), content_type="image/jpeg")
    response = client.post("/report/status/report/add-file/", {"file": disguised})
    assert response.status_code == 200
    assert 'href="#id_file"' in response.text
    assert Evidence.objects.filter(report=report).count() == 1
    assert "damage.jpg" in client.get("/report/status/report/").text


def test_a_closed_report_takes_no_replies_and_signing_out_ends_the_session(client, report, officer):
    report_status_set(
        report=report, actor=officer, status=Report.Status.CLOSED, outcome=Report.Outcome.RESOLVED, public_note="Done"
    )
    sign_in(client, report)
    page = client.get("/report/status/report/").text
    assert "This report is closed" in page
    assert "Send message" not in page
    client.post("/report/status/report/reply/", {"body": "One more thing"})
    assert not ReportEvent.objects.filter(kind=ReportEvent.Kind.FROM_REPORTER).exists()
    assert client.post("/report/status/sign-out/")["Location"] == "/report/"
    assert client.get("/report/status/report/")["Location"] == "/report/status/?signed-out=1"


def test_a_status_link_works_once_and_states_its_lifetime(client, report, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_STATUS_LINK_MINUTES = 60
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/report/status/", {"reference": report.reference, "email": "ann@example.com"}, follow=True)
    assert "The link works for 1 hour and only once." in sent.text
    assert "The link works for 1 hour and only once." in mail.outbox[0].body
    link = link_from(mail.outbox[0])
    assert client.get(link).status_code == 200  # looking (a mail scanner) uses nothing up
    assert client.post(link)["Location"] == "/report/status/report/"

    forwarded = Client()  # whoever else holds the email later
    again = forwarded.post(link)
    assert again.status_code == 410
    assert "This link has already been used" in again.text
    assert "This link has already been used" in forwarded.get(link).text
    assert forwarded.get("/report/status/report/")["Location"] == "/report/status/?signed-out=1"


def test_a_status_link_expires_after_the_setting(client, report, settings):
    token = status_token_make(report)
    settings.REPORTS_STATUS_LINK_MINUTES = 0
    time.sleep(1.1)
    expired = client.post(f"/report/status/link/{token}/")
    assert expired.status_code == 410
    assert "This link has expired" in expired.text


def test_a_reference_in_the_wrong_format_is_refused_before_any_look_up(client, report, settings, monkeypatch):
    from openbeat.reports.views import status as status_views

    asked = []
    monkeypatch.setattr(status_views, "status_link_request", lambda **kwargs: asked.append(kwargs))
    example = f"{reference_prefix()}-{timezone.localdate().year}-004213"
    for typed in ["LC2026", "2026-000042", "my report", "LC-2026-000042-7"]:
        response = client.post("/report/status/", {"reference": typed, "email": "ann@example.com"})
        assert response.status_code == 200
        message = f"Enter your reference number in the correct format, like {example}"
        assert f'<a href="#id_reference">{message}</a>' in response.text
        assert f'value="{typed}"' in response.text
    assert asked == []
    # The hint's example is this force's own.
    assert f"for example {example}" in client.get("/report/status/").text

    # Spaces for dashes, lower case and dropped leading zeros are forgiven: the same reference.
    client.post("/report/status/", {"reference": "lc 2026 42", "email": "bob@example.com"})
    assert asked == [{"reference": "LC-2026-000042", "email": "bob@example.com"}]
