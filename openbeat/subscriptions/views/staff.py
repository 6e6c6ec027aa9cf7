"""Back-office pages for In the Know: the interests residents choose from, and importing existing subscribers.

Both are force-wide: interests belong to the whole force, and an import brings in people from every division,
so only staff with the force-wide permissions (HQ Media & Engagement, Administrators) reach them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.text import slugify
from wagtail.admin.forms import WagtailAdminModelForm

from openbeat.areas.importers.report import ImportFileError
from openbeat.core.admin_policies import NoDeletePermissionPolicy
from openbeat.core.imports import MAX_UPLOAD_BYTES, ImportProgress, import_status_view, import_upload_page
from openbeat.subscriptions.importers import DEFAULT_INTEREST_SLUGS, MAX_CONSENT_SOURCE, import_job_create, read_text
from openbeat.subscriptions.models import MAX_INTEREST_BIT, ImportJob, Interest

IMPORT_PERMISSION = "subscriptions.import_subscribers"

# Interests


class InterestPermissionPolicy(NoDeletePermissionPolicy):
    """Interests are deactivated, never deleted: a deleted interest's bit could be given to a new interest,
    and everyone who had chosen the old one would silently receive the new one."""


def interest_free_bit() -> int | None:
    """The lowest bit no interest holds (active or not), or None when all are taken."""
    taken = set(Interest.objects.values_list("bit", flat=True))
    return next((bit for bit in range(MAX_INTEREST_BIT + 1) if bit not in taken), None)


def interest_slug_for(name: str) -> str:
    """A slug from the name, made unique; imports and links name interests by it, so it never changes."""
    base = slugify(name)[:50] or "interest"
    taken = set(Interest.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class InterestForm(WagtailAdminModelForm):
    """Name, description, kind, order and whether residents can choose it. A new interest is given its slug
    (from the name) and its bit (the lowest free one) here; neither is in the form, so neither ever changes."""

    class Meta:
        model = Interest
        fields = ["name", "description", "kind", "sort_order", "active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance._state.adding:
            bit = interest_free_bit()
            if bit is None:
                raise ValidationError(
                    f"No more interests can be added: all {MAX_INTEREST_BIT + 1} places are taken, by active "
                    "and inactive interests. A place is never reused, so that nobody receives messages about "
                    "something they did not choose."
                )
            self.instance.bit = bit
            self.instance.slug = interest_slug_for(cleaned.get("name") or "")
        return cleaned


# Importing subscribers


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV (in Excel: Save as, 'CSV UTF-8'), at most 20 MB, with a header row.",
    )
    consent_source = forms.CharField(
        label="Where these people gave consent (optional)",
        required=False,
        max_length=MAX_CONSENT_SOURCE,
        help_text="For rows whose consent_source column is empty, e.g. Neighbourhood Alert.",
    )

    def clean_file(self) -> Any:
        """Checked by what it contains, not by its name: UTF-8 text that parses as CSV with the needed header."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("The file is larger than 20 MB. Split it into smaller files and import each.")
        content = upload.read()
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                "The file is not UTF-8 text. Save it from your spreadsheet as 'CSV UTF-8' and upload that."
            ) from None
        try:
            data = read_text(text)
        except ImportFileError as exc:
            raise ValidationError(f"This file cannot be imported. {exc}") from None
        if not data.rows:
            raise ValidationError("The file has a header but no rows.")
        self.content, self.rows = content, len(data.rows)
        return upload


@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)

    def start() -> ImportJob:
        return import_job_create(
            content=form.content,
            file_name=form.cleaned_data["file"].name,
            total=form.rows,
            consent_source=form.cleaned_data["consent_source"],
            user=request.user,
            request=request,
        )

    context = {
        "jobs": ImportJob.objects.select_related("created_by")[:10],
        "default_interests": Interest.objects.filter(slug__in=DEFAULT_INTEREST_SLUGS),
    }
    return import_upload_page(
        request,
        form=form,
        start=start,
        progress_url="subscriber_import:progress",
        template="subscriptions/staff/import_upload.html",
        context=context,
    )


def job_status(job: ImportJob) -> ImportProgress:
    return {
        "state": job.state,
        "state_label": job.get_state_display(),
        "processed": job.processed,
        "total": job.total,
        "created": job.created,
        "unchanged": job.unchanged,
        "skipped": job.skipped,
        "error_count": job.error_count,
        "errors": job.errors,
        "failure": job.failure,
    }


@permission_required(IMPORT_PERMISSION, raise_exception=True)
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    context = {"job": job, "status": job_status(job)}
    return TemplateResponse(request, "subscriptions/staff/import_progress.html", context)


import_status = import_status_view(model=ImportJob, status=job_status, permission=IMPORT_PERMISSION)
