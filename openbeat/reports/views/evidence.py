"""Back office: opening an evidence file.

Only staff who may handle the report and hold `reports.view_evidence` get the file; anyone else who cannot see
the report gets a 404, so other divisions' evidence does not even exist for them. The file is always sent as a
download (never shown inline), with a content type decided from its content, `nosniff`, a sandboxing CSP and a
made-up safe name, so nothing a resident uploads can run in the back office's origin. Each download is
audit-logged. A quarantined file, or one still waiting for its virus scan, is not sent.
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from openbeat.audit.services import log_action
from openbeat.core.uploads import download_response
from openbeat.reports.evidence import evidence_file
from openbeat.reports.models import Evidence
from openbeat.reports.permissions import can_handle, can_open_evidence


def safe_filename(evidence: Evidence) -> str:
    """The report reference and a cleaned-up stem of the resident's name, with the extension of the content."""
    stem, _, _ = evidence.original_name.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem or evidence.original_name).strip("-.")[:60] or "file"
    extension = evidence.path.rsplit(".", 1)[-1] if "." in evidence.path else "bin"
    return f"{evidence.report.reference}-{evidence.pk}-{stem}.{extension}"


@require_GET
@never_cache
def evidence_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    evidence = get_object_or_404(Evidence.objects.select_related("report__report_type", "report__division"), pk=pk)
    report = evidence.report
    if not can_handle(request.user, report):
        raise Http404("No such evidence")
    if not can_open_evidence(request.user, report):
        return render(request, "reports/staff/evidence_unavailable.html", {"reason": "permission"}, status=403)
    if evidence.scan in (Evidence.Scan.QUARANTINED, Evidence.Scan.PENDING):
        reason = "quarantined" if evidence.scan == Evidence.Scan.QUARANTINED else "pending"
        context = {"reason": reason, "evidence": evidence, "report": report}
        return render(request, "reports/staff/evidence_unavailable.html", context, status=403)
    try:
        path = evidence_file(evidence)
    except ValueError as error:
        raise Http404("The file is missing") from error
    response = download_response(
        path, filename=safe_filename(evidence), content_type=evidence.content_type or "application/octet-stream"
    )
    log_action(
        "reports.evidence.download",
        actor=request.user,
        target=report,
        data={"evidence_id": evidence.pk},
        request=request,
    )
    return response
