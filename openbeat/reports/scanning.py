"""Virus scanning of evidence with ClamAV's daemon (clamd), where one is configured.

We speak clamd's documented protocol ourselves (man clamd, "INSTREAM"): send `zINSTREAM\\0`, then the file as
chunks each prefixed by its length (4 bytes, network order), then a zero length; clamd answers one
NUL-terminated line: `stream: OK`, `stream: <signature> FOUND`, or `... ERROR`.

- No scanner configured (neither CLAMD_SOCKET nor CLAMD_HOST): evidence is kept as `not_scanned`.
- Scanner unreachable or erroring: the file stays `pending` and the task tries again with backoff (where the
  task backend can defer); `manage.py scan_pending_evidence` re-queues whatever is still pending (for cron).
- FOUND: the file moves to `evidence/quarantine/`, the evidence is marked quarantined (staff cannot download
  it), and the event is audit-logged and noted on the report's internal timeline.
"""

from __future__ import annotations

import socket
import struct
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from openbeat.audit.services import log_action
from openbeat.reports.models import Evidence, ReportEvent

CHUNK = 64 * 1024
TIMEOUT = 30.0
MAX_ATTEMPTS = 8


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not give a verdict; try again later."""


def scanner_configured() -> bool:
    return bool(settings.CLAMD_SOCKET or settings.CLAMD_HOST)


def _connect() -> socket.socket:
    try:
        if settings.CLAMD_SOCKET:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(TIMEOUT)
            conn.connect(settings.CLAMD_SOCKET)
            return conn
        return socket.create_connection((settings.CLAMD_HOST, settings.CLAMD_PORT), timeout=TIMEOUT)
    except OSError as error:
        raise ScannerUnavailable(f"cannot connect to clamd: {error}") from error


def _read_reply(conn: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0"):
        data = conn.recv(4096)
        if not data:
            break
        reply += data
    return reply.rstrip(b"\0").decode("utf-8", errors="replace").strip()


def scan_file(path: Path) -> str | None:
    """The signature clamd found in the file, or None if clean. Raises ScannerUnavailable."""
    try:
        with _connect() as conn, open(path, "rb") as source:
            conn.sendall(b"zINSTREAM\0")
            for chunk in iter(lambda: source.read(CHUNK), b""):
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            reply = _read_reply(conn)
    except OSError as error:
        raise ScannerUnavailable(f"clamd connection failed: {error}") from error
    verdict = reply.removeprefix("stream:").strip()
    if verdict == "OK":
        return None
    if verdict.endswith(" FOUND"):
        return verdict.removesuffix(" FOUND").strip() or "unknown"
    raise ScannerUnavailable(f"clamd answered {reply[:150]!r}")


def _quarantine(evidence: Evidence, signature: str) -> None:
    from openbeat.reports.evidence import evidence_file, evidence_root

    source = evidence_file(evidence)
    relative = Path("quarantine") / evidence.path
    destination = evidence_root() / relative
    evidence.path = str(relative)
    evidence.scan = Evidence.Scan.QUARANTINED
    evidence.scan_detail = signature[:200]
    evidence.save(update_fields=["path", "scan", "scan_detail"])
    # Moved after the row is saved (inside the scan's transaction) so a failed move rolls the verdict back.
    destination.parent.mkdir(parents=True, exist_ok=True)
    source.replace(destination)
    report = evidence.report
    ReportEvent.objects.create(
        report=report,
        kind=ReportEvent.Kind.NOTE,
        body=f"The virus scanner flagged a file ({signature}); it has been quarantined and cannot be opened.",
        data={"evidence_id": evidence.pk, "quarantined": True},
    )
    log_action(
        "reports.evidence.quarantine",
        actor=None,
        target=evidence,
        division=report.division,
        data={"report_id": report.pk, "signature": signature[:200]},
    )


def evidence_scan_now(evidence_id: int) -> str:
    """Scan one pending file and record the verdict; returns the scan state. Raises ScannerUnavailable."""
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().select_related("report").filter(pk=evidence_id).first()
        if evidence is None:
            return "missing"
        if evidence.scan != Evidence.Scan.PENDING:
            return str(evidence.scan)
        if not scanner_configured():
            evidence.scan = Evidence.Scan.NOT_SCANNED
            evidence.save(update_fields=["scan"])
            return str(evidence.scan)
        from openbeat.reports.evidence import evidence_file

        signature = scan_file(evidence_file(evidence))
        if signature is not None:
            _quarantine(evidence, signature)
        else:
            evidence.scan = Evidence.Scan.CLEAN
            evidence.scan_detail = ""
            evidence.save(update_fields=["scan", "scan_detail"])
        return str(evidence.scan)


@task()
def evidence_scan(evidence_id: int, attempt: int = 1) -> str:
    """Scan one file. While clamd is unreachable the file stays pending and this tries again, backing off."""
    try:
        return evidence_scan_now(evidence_id)
    except ScannerUnavailable as error:
        Evidence.objects.filter(pk=evidence_id).update(scan_detail=f"Not scanned yet: {error}"[:200])
        if attempt < MAX_ATTEMPTS and evidence_scan.get_backend().supports_defer:
            delay = timedelta(seconds=60 * 2 ** (attempt - 1))
            evidence_scan.using(run_after=timezone.now() + delay).enqueue(evidence_id, attempt + 1)
        return "pending"


def evidence_scan_queue(evidence: Evidence) -> None:
    """Scan the file once the transaction that stored it commits."""
    evidence_id = evidence.pk
    transaction.on_commit(lambda: evidence_scan.enqueue(evidence_id))


def scan_pending(*, limit: int = 1000) -> dict[str, int]:
    """Scan what is still pending now (for cron, after clamd was down). Returns counts by resulting state."""
    counts: dict[str, int] = {}
    for evidence_id in Evidence.objects.filter(scan=Evidence.Scan.PENDING).values_list("pk", flat=True)[:limit]:
        try:
            state = evidence_scan_now(evidence_id)
        except ScannerUnavailable:
            state = "pending"
        counts[state] = counts.get(state, 0) + 1
    return counts
