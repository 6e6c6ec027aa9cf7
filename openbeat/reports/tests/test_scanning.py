"""Virus scanning against a real socket server speaking clamd's protocol (tests/clamd_standin.py)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.reports import scanning
from openbeat.reports.evidence import evidence_add, evidence_file
from openbeat.reports.models import Evidence, ReportEvent
from openbeat.reports.tests import evidence_world
from openbeat.reports.tests.clamd_standin import EICAR, ClamdStandin
from openbeat.reports.tests.evidence_world import sample, upload
from openbeat.reports.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db

# The shared fixtures (a private folder per test, a report type taking files, a draft).
evidence_type = evidence_world.evidence_type
private = evidence_world.private


@pytest.fixture(params=["unix", "tcp"])
def clamd(request, settings, private, tmp_path):
    """clamd on a Unix socket and on TCP: every test using this runs against both."""
    if request.param == "unix":
        standin = ClamdStandin(unix_path=tmp_path / "clamd.sock").start()
        settings.CLAMD_SOCKET = str(tmp_path / "clamd.sock")
    else:
        standin = ClamdStandin().start()
        settings.CLAMD_HOST, settings.CLAMD_PORT = "127.0.0.1", standin.port
    yield standin
    standin.stop()


@pytest.fixture
def report(evidence_type):
    return ReportFactory(report_type=evidence_type)


def _add(report, name="photo.jpg", content=None, capture=None) -> Evidence:
    with capture(execute=True):
        evidence = evidence_add(report=report, upload=upload(name, content), from_reporter=True)
    evidence.refresh_from_db()
    return evidence


def test_a_clean_file_is_streamed_whole_to_clamd_and_marked_clean(clamd, report, django_capture_on_commit_callbacks):
    big = sample("photo.jpg") + b"\0" * (200 * 1024)  # several INSTREAM chunks
    evidence = _add(report, content=big, capture=django_capture_on_commit_callbacks)
    assert evidence.scan == Evidence.Scan.CLEAN
    assert clamd.commands == ["INSTREAM"]
    assert clamd.streams == [big]


def test_a_flagged_file_is_quarantined_logged_and_moved(clamd, report, private, django_capture_on_commit_callbacks):
    infected = b"Notes about the incident\n" + EICAR + b"\n"
    evidence = _add(report, "notes.txt", infected, capture=django_capture_on_commit_callbacks)
    assert evidence.scan == Evidence.Scan.QUARANTINED
    assert evidence.scan_detail == "Eicar-Test-Signature"
    assert evidence.path.startswith("quarantine/")
    assert evidence_file(evidence).read_bytes() == infected
    assert not (private / "evidence" / evidence.path.removeprefix("quarantine/")).exists()
    entry = AuditEntry.objects.get(action="reports.evidence.quarantine")
    assert entry.target_id == str(evidence.pk)
    assert entry.data["signature"] == "Eicar-Test-Signature"
    note = ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.NOTE)
    assert not note.visible_to_reporter
    assert "quarantined" in note.body


def test_scanning_waits_for_the_commit(clamd, report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence = evidence_add(report=report, upload=upload("photo.png"), from_reporter=True)
    assert evidence.scan == Evidence.Scan.PENDING
    assert clamd.streams == []
    for callback in callbacks:
        callback()
    evidence.refresh_from_db()
    assert evidence.scan == Evidence.Scan.CLEAN


def test_without_a_scanner_files_are_not_scanned(private, report, django_capture_on_commit_callbacks):
    evidence = _add(report, capture=django_capture_on_commit_callbacks)
    assert evidence.scan == Evidence.Scan.NOT_SCANNED


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_scanner_leaves_the_file_pending_until_the_command_catches_up(
    settings, private, report, django_capture_on_commit_callbacks
):
    settings.CLAMD_HOST, settings.CLAMD_PORT = "127.0.0.1", _closed_port()
    evidence = _add(report, capture=django_capture_on_commit_callbacks)
    assert evidence.scan == Evidence.Scan.PENDING
    assert evidence.scan_detail.startswith("Not scanned yet: cannot connect")
    standin = ClamdStandin().start()
    try:
        settings.CLAMD_PORT = standin.port
        call_command("scan_pending_evidence")
    finally:
        standin.stop()
    evidence.refresh_from_db()
    assert evidence.scan == Evidence.Scan.CLEAN


def test_a_scanner_that_hangs_up_or_errors_gives_no_verdict(settings, private, tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 5000)
    for standin in (ClamdStandin(mode="hang_up"), ClamdStandin(max_bytes=1000)):
        standin.start()
        settings.CLAMD_HOST, settings.CLAMD_PORT = "127.0.0.1", standin.port
        try:
            with pytest.raises(scanning.ScannerUnavailable):
                scanning.scan_file(path)
        finally:
            standin.stop()


def test_the_task_retries_later_when_the_backend_can_defer(settings, private, report):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.CLAMD_HOST, settings.CLAMD_PORT = "127.0.0.1", _closed_port()
    from django_tasks_db.models import DBTaskResult

    evidence = evidence_add(report=report, upload=upload("photo.png"), from_reporter=True)
    assert scanning.evidence_scan.call(evidence.pk, 1) == "pending"
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["args"] == [evidence.pk, 2]
    assert retry.run_after > timezone.now() + timedelta(seconds=50)


@pytest.mark.django_db
def test_the_command_deletes_drafts_older_than_their_cookie(private):
    from datetime import timedelta

    from django.utils import timezone

    from openbeat.reports.models import ReportDraft
    from openbeat.reports.tests.factories import ReportTypeFactory

    kind = ReportTypeFactory()
    old = ReportDraft.objects.create(key="old", report_type=kind, data={"answers": {"what": "typed"}})
    fresh = ReportDraft.objects.create(key="fresh", report_type=kind, data={})
    ReportDraft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=32))
    call_command("scan_pending_evidence")
    assert list(ReportDraft.objects.values_list("key", flat=True)) == [fresh.key]
