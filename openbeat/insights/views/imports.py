"""Back-office imports of engagement figures: upload a file, then watch its task's progress.

Force-wide: the figures belong to channels and groups, not to a division, so only staff with
`insights.import_observations` (HQ Media & Engagement, Administrators) reach these pages.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from openbeat.areas.importers.report import ImportFileError
from openbeat.core.imports import MAX_UPLOAD_BYTES, ImportProgress, import_status_view, import_upload_page
from openbeat.core.users import signed_in_staff
from openbeat.insights.importers.base import FORMATS
from openbeat.insights.models import Account, ImportBatch
from openbeat.insights.services import import_batch_create, parse_content

IMPORT_PERMISSION = "insights.import_observations"
FORMAT_LABELS = {
    "canonical": "Canonical CSV (period, channel, account, group, metric, value, dimension)",
    "meta_posts": "Meta Business Suite: Facebook posts",
    "facebook_legacy": "Facebook Page Insights export (legacy, daily)",
    "instagram_posts": "Instagram posts",
    "x_tweets": "X (Twitter): per-tweet export",
    "x_daily": "X (Twitter): daily export",
    "x_content_2024": "X: content export (2024 on)",
    "ga4": "Google Analytics 4: pages and screens",
}


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="A CSV export, at most 20 MB.")
    format = forms.ChoiceField(
        label="Format",
        choices=[("auto", "Work it out from the file"), *[(f, FORMAT_LABELS[f]) for f in FORMATS]],
        initial="auto",
    )
    account = forms.ModelChoiceField(
        label="Account the file is for (optional)",
        queryset=Account.objects.filter(is_channel_total=False, active=True),
        required=False,
        help_text="Needed for X daily and content exports, which do not say whose they are. Other exports "
        "name their page or account; choose one here to put the figures under another account.",
    )

    def clean(self) -> dict[str, Any]:
        """The whole file is read now, so a file that cannot be imported is refused before it is queued."""
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is None:
            return cleaned
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError({"file": "The file is larger than 20 MB. Split it and import each part."})
        self.content = upload.read()
        try:
            format, parsed = parse_content(
                content=self.content, format=cleaned.get("format") or "auto", account=cleaned.get("account")
            )
        except ImportFileError as exc:
            raise ValidationError({"file": f"This file cannot be imported: {exc}."}) from None
        if not parsed.rows and not parsed.errors:
            raise ValidationError({"file": "The file has no figures in it."})
        self.detected = format
        return cleaned


@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)

    def start() -> ImportBatch:
        return import_batch_create(
            content=form.content,
            filename=form.cleaned_data["file"].name,
            format=form.detected,
            account=form.cleaned_data["account"],
            actor=signed_in_staff(request),
            request=request,
        )

    return import_upload_page(
        request,
        form=form,
        start=start,
        progress_url="insights_staff:import_progress",
        template="insights/imports/upload.html",
        context={"batches": ImportBatch.objects.select_related("created_by", "account")[:15], "labels": FORMAT_LABELS},
    )


_STATE = {
    ImportBatch.Status.QUEUED: "queued",
    ImportBatch.Status.RUNNING: "running",
    ImportBatch.Status.DONE: "done",
    ImportBatch.Status.FAILED: "failed",
}


def batch_status(batch: ImportBatch) -> ImportProgress:
    """What the progress page polls (the keys the subscriber import's progress script reads)."""
    problems = [e for e in batch.errors if e.startswith("line ")]
    return {
        "state": _STATE[ImportBatch.Status(batch.status)],
        "state_label": batch.get_status_display(),
        "processed": batch.rows_done,
        "total": batch.rows_total,
        "created": batch.rows_ok,
        "unchanged": 0,
        "error_count": len(problems),
        "errors": batch.errors,
        "failure": batch.errors[0] if batch.status == ImportBatch.Status.FAILED and batch.errors else "",
    }


@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("account"), pk=pk)
    context = {"batch": batch, "status": batch_status(batch), "label": FORMAT_LABELS.get(batch.format, batch.format)}
    return TemplateResponse(request, "insights/imports/progress.html", context)


import_status = import_status_view(model=ImportBatch, status=batch_status, permission=IMPORT_PERMISSION)
