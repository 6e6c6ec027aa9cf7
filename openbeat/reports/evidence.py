"""Evidence files residents send with a report: checked by content, kept privately and byte-for-byte.

Layout under `PRIVATE_STORAGE_ROOT/evidence/` (never under MEDIA_ROOT or static, so no web server serves it):
- `staging/<draft dir>/<token>`: files uploaded during the journey, before the report exists. The directory is
  a hash of the draft's key rather than the key itself, so that nobody listing the folder learns a cookie value
  that would open someone's draft.
- `<yyyy>/<report id>/<random>.<ext>`: files attached to a report (`Evidence.path` is relative to `evidence/`).
- `quarantine/...`: files the virus scanner flagged (see `scanning.py`); staff cannot download them.

The type is decided by the content (`sniff`), never by the name or the browser's content type. Reading,
keeping and sending files is core's (`openbeat.core.uploads`), shared with alerts' images and PDFs. Each file's
SHA-256 is recorded when it arrives; the stored file is the upload unmodified (no re-encoding, no metadata
stripping) so that it can serve as evidence.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import secrets
import shutil
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from openbeat.audit.services import log_action
from openbeat.core.uploads import megabytes, private_file, private_root, read_head, store_upload
from openbeat.core.users import StaffUser
from openbeat.reports.models import Evidence, Report, ReportDraft, ReportEvent

logger = logging.getLogger(__name__)

# Enough for every magic number we check, and for the first entries of an Office zip's local headers.
HEAD_BYTES = 64 * 1024

ALLOWED_MAGIC: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
TEXT = ("text/plain", "txt")
_OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
# Markup a browser could render as a page or run script from, even in a file that is otherwise text.
_MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|meta|a\s)", re.IGNORECASE)

ALLOWED_DESCRIPTION = "a photo (JPG, PNG, GIF, WEBP or HEIC), a video (MP4, MOV or WEBM), a PDF, a Word or Excel file"


class EvidenceRejected(Exception):
    """The file cannot be accepted; `message` is plain English for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def evidence_root() -> Path:
    return private_root("evidence")


def evidence_file(evidence: Evidence) -> Path:
    """The file on disk, refusing any stored path that would lead outside the evidence folder."""
    try:
        return private_file("evidence", evidence.path)
    except ValueError as error:
        raise ValueError(f"Evidence {evidence.pk} has a path outside the evidence folder") from error


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    sample = head.removeprefix(b"\xef\xbb\xbf")
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as error:
        # The head may end part-way through a character; only that is forgiven.
        if error.reason != "unexpected end of data":
            return False
        text = sample[: error.start].decode("utf-8")
    if any(ord(c) < 32 and c not in "\t\n\r\f" for c in text) or "\x7f" in text:
        return False
    return _MARKUP.search(sample) is None and not text.lstrip().startswith(("<", "#!"))


def sniff(head: bytes) -> tuple[str, str] | None:
    """(mime, extension) of an allowed kind of file, judged from its first bytes; None when refused.

    Allowed: photos, videos, PDF, Word and Excel documents, plain UTF-8 text. Everything else (HTML, SVG, XML,
    programs, scripts, archives, unknown binary) is refused, whatever the file is called.
    """
    kind = filetype.guess(head)
    if kind is not None:
        ext = ALLOWED_MAGIC.get(kind.mime)
        return (kind.mime, ext) if ext else None
    if _is_text(head):
        return TEXT
    return None


def _read_head(upload: UploadedFile) -> bytes:
    return read_head(upload, HEAD_BYTES)


def _check_size(upload: UploadedFile) -> None:
    limit = settings.EVIDENCE_MAX_BYTES
    if not upload.size:
        raise EvidenceRejected("The selected file is empty")
    if upload.size > limit:
        raise EvidenceRejected(f"The selected file must be smaller than {_megabytes(limit)}")


_megabytes = megabytes


def _ooxml_ok(path: Path, ext: str) -> bool:
    """An Office file must be a well-formed zip with its main part, and no macros."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    if "[Content_Types].xml" not in names or _OOXML_MAIN_PART[ext] not in names:
        return False
    return not any(name.lower().endswith("vbaproject.bin") for name in names)


_store = store_upload  # the upload exactly as sent; (sha256, size)


def _checked_store(upload: UploadedFile, destination: Path) -> tuple[str, str, str, int]:
    """Check size and content, then store; (mime, ext, sha256, size). Raises EvidenceRejected."""
    _check_size(upload)
    sniffed = sniff(_read_head(upload))
    if sniffed is None:
        raise EvidenceRejected(f"The selected file must be {ALLOWED_DESCRIPTION}, or plain text")
    mime, ext = sniffed
    sha256, size = _store(upload, destination)
    if size > settings.EVIDENCE_MAX_BYTES or (ext in _OOXML_MAIN_PART and not _ooxml_ok(destination, ext)):
        destination.unlink(missing_ok=True)
        if size > settings.EVIDENCE_MAX_BYTES:
            raise EvidenceRejected(f"The selected file must be smaller than {_megabytes(settings.EVIDENCE_MAX_BYTES)}")
        raise EvidenceRejected("The selected file could not be read as a Word or Excel document, or contains macros")
    return mime, ext, sha256, size


def original_name(name: str | None) -> str:
    """The name the resident's file had, without folders or control characters, for display only."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:255] or "file"


# Staging, during the journey


def _staging_dir(draft: ReportDraft) -> Path:
    return evidence_root() / "staging" / hashlib.sha256(draft.key.encode()).hexdigest()[:32]


def _staged_files(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.is_file()] if directory.is_dir() else []


def evidence_stage(*, draft: ReportDraft, upload: UploadedFile) -> dict[str, Any]:
    """Keep an upload for a draft until the report is sent. Returns what to remember in the draft (JSON-able):
    {token, name, size, content_type, sha256, staging}. Raises EvidenceRejected."""
    report_type = draft.report_type
    if not report_type.allows_evidence:
        raise EvidenceRejected("You cannot add files to this kind of report")
    directory = _staging_dir(draft)
    if len(_staged_files(directory)) >= report_type.max_evidence_files:
        raise EvidenceRejected(f"You can add up to {report_type.max_evidence_files} files")
    token = secrets.token_urlsafe(24)
    mime, _, sha256, size = _checked_store(upload, directory / token)
    return {
        "token": token,
        "name": original_name(upload.name),
        "size": size,
        "content_type": mime,
        "sha256": sha256,
        "staging": directory.name,
    }


def evidence_unstage(*, draft: ReportDraft, token: str) -> bool:
    """Remove a staged file from a draft; False when there was none by that token."""
    if not _TOKEN.match(token or ""):
        return False
    path = _staging_dir(draft) / token
    if not path.is_file():
        return False
    path.unlink()
    return True


def _staged_path(item: dict[str, Any]) -> Path | None:
    token, staging = str(item.get("token", "")), str(item.get("staging", ""))
    if not _TOKEN.match(token) or not re.fullmatch(r"[0-9a-f]{32}", staging):
        return None
    path = evidence_root() / "staging" / staging / token
    return path if path.is_file() else None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _final_path(report: Report, ext: str) -> Path:
    return evidence_root() / f"{report.created_at:%Y}" / str(report.pk) / f"{uuid.uuid4().hex}.{ext}"


def _link_or_copy(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, destination)
    except OSError:  # another file system, or links not allowed
        shutil.copyfile(source, destination)


def _remove_staged(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # other files still staged there
            path.parent.rmdir()


def evidence_attach_staged(*, report: Report, staged: Iterable[dict[str, Any]]) -> list[Evidence]:
    """Attach the files staged during the journey to the report just created.

    Called inside the submission's transaction: files are linked (or copied) into place and the staged copies
    removed only once it commits, so a rolled-back submission can be sent again. A staged file that has gone or
    no longer matches its checksum is left out (and logged) rather than losing the report.
    """
    attached: list[Evidence] = []
    used: list[Path] = []
    for item in list(staged)[: report.report_type.max_evidence_files]:
        source = _staged_path(item)
        if source is None or _sha256_of(source) != item.get("sha256"):
            logger.warning("Staged evidence %s for report %s is missing or changed", item.get("token"), report.pk)
            continue
        with open(source, "rb") as handle:
            sniffed = sniff(handle.read(HEAD_BYTES))
        if sniffed is None:
            continue
        destination = _final_path(report, sniffed[1])
        _link_or_copy(source, destination)
        used.append(source)
        attached.append(
            _evidence_create(
                report=report,
                path=destination,
                name=original_name(item.get("name")),
                content_type=sniffed[0],
                size=destination.stat().st_size,
                sha256=item["sha256"],
                from_reporter=True,
            )
        )
    transaction.on_commit(lambda: _remove_staged(used))
    return attached


def _evidence_create(**fields: Any) -> Evidence:
    from openbeat.reports import scanning

    path: Path = fields.pop("path")
    evidence = Evidence.objects.create(
        path=str(path.relative_to(evidence_root())),
        original_name=fields.pop("name"),
        scan=Evidence.Scan.PENDING if scanning.scanner_configured() else Evidence.Scan.NOT_SCANNED,
        **fields,
    )
    if evidence.scan == Evidence.Scan.PENDING:
        scanning.evidence_scan_queue(evidence)
    return evidence


# Adding to a report that exists (the reporter's status page, or staff)


def evidence_add(
    *, report: Report, upload: UploadedFile, from_reporter: bool, actor: StaffUser | None = None
) -> Evidence:
    """Add one file to a report. The reporter may add files while the report is open and its type allows them,
    up to the type's limit; staff may always add. Raises EvidenceRejected."""
    report_type = report.report_type
    if from_reporter:
        if not report_type.allows_evidence:
            raise EvidenceRejected("You cannot add files to this kind of report")
        if not report.is_open:
            raise EvidenceRejected("This report is closed, so you cannot add files to it")
        if report.evidence.filter(from_reporter=True).count() >= report_type.max_evidence_files:
            raise EvidenceRejected(f"You can add up to {report_type.max_evidence_files} files")
    sniffed = sniff(_read_head(upload))
    destination = _final_path(report, sniffed[1] if sniffed else "bin")
    mime, _, sha256, size = _checked_store(upload, destination)
    try:
        with transaction.atomic():
            evidence = _evidence_create(
                report=report,
                path=destination,
                name=original_name(upload.name),
                content_type=mime,
                size=size,
                sha256=sha256,
                from_reporter=from_reporter,
            )
            ReportEvent.objects.create(
                report=report,
                kind=ReportEvent.Kind.EVIDENCE,
                author=actor if not from_reporter else None,
                body=f"File added: {evidence.original_name}",
                data={"evidence_id": evidence.pk},
            )
            log_action(
                "reports.evidence.add",
                actor=None if from_reporter else actor,
                target=report,
                data={"evidence_id": evidence.pk, "from_reporter": from_reporter, "content_type": mime},
            )
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    return evidence


def evidence_staging_purge(*, older_than_seconds: float = 31 * 24 * 3600) -> int:
    """Delete staged files of journeys abandoned longer ago than drafts are kept; returns how many."""
    import time

    cutoff = time.time() - older_than_seconds
    removed = 0
    staging = evidence_root() / "staging"
    for path in staging.glob("*/*") if staging.is_dir() else []:
        if path.is_file() and path.stat().st_mtime < cutoff:
            _remove_staged([path])
            removed += 1
    return removed
