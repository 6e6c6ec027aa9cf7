"""Evidence files: judged by content with real sample files, kept byte-for-byte and privately."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openbeat.audit.models import AuditEntry
from openbeat.reports.evidence import (
    EvidenceRejected,
    evidence_add,
    evidence_attach_staged,
    evidence_file,
    evidence_stage,
    evidence_staging_purge,
    evidence_unstage,
    original_name,
    sniff,
)
from openbeat.reports.models import Evidence, Report, ReportEvent
from openbeat.reports.tests import evidence_world
from openbeat.reports.tests.evidence_world import sample, upload
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory

pytestmark = pytest.mark.django_db

# The shared fixtures (a private folder per test, a report type taking files, a draft).
draft = evidence_world.draft
evidence_type = evidence_world.evidence_type
private = evidence_world.private

ACCEPTED = [
    ("photo.jpg", "image/jpeg", "jpg"),
    ("photo.png", "image/png", "png"),
    ("photo.gif", "image/gif", "gif"),
    ("photo.webp", "image/webp", "webp"),
    ("photo.heic", "image/heic", "heic"),
    ("clip.mp4", "video/mp4", "mp4"),
    ("document.pdf", "application/pdf", "pdf"),
    ("statement.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("notes.txt", "text/plain", "txt"),
]
DISGUISED = ["disguised-page.jpg", "disguised-program.jpg", "disguised-drawing.png"]


@pytest.mark.parametrize(("name", "mime", "ext"), ACCEPTED)
def test_real_files_are_recognised_by_their_content(name, mime, ext):
    assert sniff(sample(name)) == (mime, ext)


@pytest.mark.parametrize("name", DISGUISED)
def test_disguised_files_are_refused_whatever_they_are_called(name):
    assert sniff(sample(name)) is None


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"PK\x03\x04" + bytes(100),  # a bare zip archive
        b"\x7fELF\x02\x01\x01" + bytes(60),
        b"#!/bin/sh\nrm -rf /\n",
        b"Hello <script>alert(1)</script>",
        b"plain words\x00\x01 then binary",
        "caf\u00e9 au lait".encode("latin-1"),  # not UTF-8
        b"  <?xml version='1.0'?><x/>",
    ],
)
def test_other_content_is_refused(head):
    assert sniff(head) is None


def test_text_cut_in_the_middle_of_a_character_is_still_text():
    assert sniff("Seen by the caf\u00e9".encode()[:-1]) == ("text/plain", "txt")


def test_staging_keeps_the_upload_byte_for_byte_outside_the_web_root(draft, private):
    staged = evidence_stage(draft=draft, upload=upload("photo.jpg", as_name="../../etc/IMG 0001.jpg"))
    data = sample("photo.jpg")
    assert staged["sha256"] == hashlib.sha256(data).hexdigest()
    assert staged["size"] == len(data)
    assert staged["content_type"] == "image/jpeg"
    assert staged["name"] == "IMG 0001.jpg"
    stored = private / "evidence" / "staging" / staged["staging"] / staged["token"]
    assert stored.read_bytes() == data
    assert draft.key not in str(stored)


@pytest.mark.parametrize("name", DISGUISED)
def test_staging_refuses_disguised_files_with_a_plain_message(draft, private, name):
    with pytest.raises(EvidenceRejected) as refused:
        evidence_stage(draft=draft, upload=upload(name))
    assert "must be a photo" in refused.value.message
    assert not list((private / "evidence").rglob("*.*"))


def test_staging_refuses_files_over_the_size_limit_and_empty_ones(draft, private, settings):
    settings.EVIDENCE_MAX_BYTES = 500
    with pytest.raises(EvidenceRejected, match="smaller than 1KB"):
        evidence_stage(draft=draft, upload=upload("photo.jpg"))
    with pytest.raises(EvidenceRejected, match="empty"):
        evidence_stage(draft=draft, upload=upload("notes.txt", b""))


def test_staging_stops_at_the_types_file_count_and_unstaging_frees_a_place(draft, private):
    tokens = [evidence_stage(draft=draft, upload=upload("photo.png"))["token"] for _ in range(3)]
    with pytest.raises(EvidenceRejected, match="up to 3 files"):
        evidence_stage(draft=draft, upload=upload("photo.png"))
    assert evidence_unstage(draft=draft, token=tokens[0]) is True
    assert evidence_unstage(draft=draft, token=tokens[0]) is False
    assert evidence_unstage(draft=draft, token="../../../etc/passwd") is False
    evidence_stage(draft=draft, upload=upload("photo.png"))


def test_staging_refuses_types_that_do_not_take_evidence(draft, private):
    draft.report_type.allows_evidence = False
    with pytest.raises(EvidenceRejected, match="cannot add files"):
        evidence_stage(draft=draft, upload=upload("photo.png"))


def _docx_with(extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sample("statement.docx"))) as source, zipfile.ZipFile(buffer, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        for name, data in extra.items():
            out.writestr(name, data)
    return buffer.getvalue()


def test_word_files_with_macros_are_refused(draft, private):
    with pytest.raises(EvidenceRejected, match="macros"):
        evidence_stage(
            draft=draft, upload=upload("x", _docx_with({"word/vbaProject.bin": b"\0" * 10}), as_name="a.docx")
        )


def test_attaching_staged_files_moves_them_under_the_report_once_committed(
    draft, private, evidence_type, django_capture_on_commit_callbacks
):
    staged = [
        evidence_stage(draft=draft, upload=upload("photo.jpg")),
        evidence_stage(draft=draft, upload=upload("document.pdf")),
    ]
    report = ReportFactory(report_type=evidence_type)
    with django_capture_on_commit_callbacks(execute=True):
        attached = evidence_attach_staged(report=report, staged=staged)
    assert [e.original_name for e in attached] == ["photo.jpg", "document.pdf"]
    assert [e.content_type for e in attached] == ["image/jpeg", "application/pdf"]
    for evidence, name in zip(attached, ["photo.jpg", "document.pdf"], strict=True):
        assert evidence.path.startswith(f"{report.created_at:%Y}/{report.pk}/")
        assert evidence_file(evidence).read_bytes() == sample(name)
        assert evidence.sha256 == hashlib.sha256(sample(name)).hexdigest()
        assert evidence.scan == Evidence.Scan.NOT_SCANNED
    assert not (private / "evidence" / "staging" / staged[0]["staging"]).exists()


def test_a_staged_file_changed_or_gone_is_left_out_and_the_rest_attached(draft, private, evidence_type):
    good = evidence_stage(draft=draft, upload=upload("photo.jpg"))
    tampered = {**evidence_stage(draft=draft, upload=upload("photo.png")), "sha256": "0" * 64}
    forged = {**good, "token": "../../../../etc/passwd"}
    report = ReportFactory(report_type=evidence_type)
    attached = evidence_attach_staged(report=report, staged=[good, tampered, forged])
    assert [e.original_name for e in attached] == ["photo.jpg"]


def test_the_reporter_adds_a_file_to_an_open_report(private, evidence_type):
    report = ReportFactory(report_type=evidence_type)
    evidence = evidence_add(report=report, upload=upload("clip.mp4"), from_reporter=True)
    assert evidence_file(evidence).read_bytes() == sample("clip.mp4")
    assert evidence.path.endswith(".mp4")
    event = ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.EVIDENCE)
    assert event.visible_to_reporter
    assert event.data == {"evidence_id": evidence.pk}
    entry = AuditEntry.objects.get(action="reports.evidence.add")
    assert entry.actor is None
    assert entry.target_id == str(report.pk)


def test_the_reporter_cannot_add_to_a_closed_report_or_past_the_limit(private, evidence_type):
    closed = ReportFactory(report_type=evidence_type, status=Report.Status.CLOSED)
    with pytest.raises(EvidenceRejected, match="closed"):
        evidence_add(report=closed, upload=upload("photo.png"), from_reporter=True)
    report = ReportFactory(report_type=evidence_type)
    for _ in range(3):
        evidence_add(report=report, upload=upload("photo.png"), from_reporter=True)
    with pytest.raises(EvidenceRejected, match="up to 3"):
        evidence_add(report=report, upload=upload("photo.png"), from_reporter=True)


def test_staff_may_add_to_any_report_and_are_audit_logged(private, west):
    from openbeat.staff import roles
    from openbeat.staff.tests.factories import staff_user

    officer = staff_user(roles.NEIGHBOURHOOD_OFFICER, west)
    report = ReportFactory(report_type=ReportTypeFactory(allows_evidence=False), division=west)
    evidence = evidence_add(report=report, upload=upload("statement.docx"), from_reporter=False, actor=officer)
    assert not evidence.from_reporter
    entry = AuditEntry.objects.get(action="reports.evidence.add")
    assert entry.actor == officer
    assert entry.division == west


def test_a_refused_file_leaves_nothing_behind(private, evidence_type):
    report = ReportFactory(report_type=evidence_type)
    with pytest.raises(EvidenceRejected):
        evidence_add(report=report, upload=upload("disguised-program.jpg"), from_reporter=True)
    assert not Evidence.objects.exists()
    assert not list((private / "evidence").rglob("*.*")) if (private / "evidence").exists() else True


def test_abandoned_staged_files_are_purged(draft, private):
    evidence_stage(draft=draft, upload=upload("photo.png"))
    assert evidence_staging_purge(older_than_seconds=3600) == 0
    assert evidence_staging_purge(older_than_seconds=-1) == 1
    assert not list((private / "evidence" / "staging").iterdir())


@pytest.mark.parametrize(
    ("given", "kept"),
    [("C:\\Users\\me\\IMG.jpg", "IMG.jpg"), ("a\x00b\nc.png", "abc.png"), ("", "file"), (None, "file")],
)
def test_original_names_lose_folders_and_control_characters(given, kept):
    assert original_name(given) == kept


def test_browser_claimed_type_is_ignored(draft, private):
    fake = SimpleUploadedFile("x.pdf", sample("photo.png"), content_type="application/pdf")
    assert evidence_stage(draft=draft, upload=fake)["content_type"] == "image/png"
