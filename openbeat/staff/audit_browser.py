"""The audit browser: staff with audit.view_auditentry read (and export) the log, within their division scope.

It is staff's, not audit's: it needs the division scope (staff.scope), and audit sits below staff. URLs and the
menu item are registered in staff's wagtail_hooks (names `audit_log`, `audit_log_export`).
"""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from wagtail.admin.menu import MenuItem

from openbeat.areas.models import Division
from openbeat.audit.services import log_action
from openbeat.staff.scope import scope_for
from openbeat.staff.selectors import audit_entries_for


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, help_text="Starts with, e.g. areas.station")
    actor = forms.CharField(required=False, label="Staff username")
    target_type = forms.CharField(required=False, label="Target type", help_text="e.g. areas.station")
    target_id = forms.CharField(required=False, label="Target id")
    division = forms.ModelChoiceField(queryset=Division.objects.none(), required=False)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = scope_for(user).filter(Division.objects.all(), "pk")  # type: ignore[attr-defined]


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, Any]:
    form = AuditFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, audit_entries_for(request.user, filters=filters)


@permission_required("audit.view_auditentry", raise_exception=True)
def audit_log(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page = Paginator(entries, 50).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return render(request, "staff/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})


@permission_required("audit.view_auditentry", raise_exception=True)
def audit_log_export(request: HttpRequest) -> HttpResponse:
    _form, entries = _filtered(request)
    log_action("audit.log.export", actor=request.user, data={"filters": request.GET.dict()}, request=request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="openbeat-audit-log.csv"'
    writer = csv.writer(response)
    writer.writerow(["at", "actor", "action", "target_type", "target_id", "target", "division", "ip", "data"])
    for e in entries.iterator(chunk_size=2000):
        writer.writerow(
            [
                e.at.isoformat(),
                e.actor_label,
                e.action,
                e.target_type,
                e.target_id,
                e.target_label,
                e.division.name if e.division else "",
                e.ip or "",
                e.data,
            ]
        )
    return response


def admin_urls() -> list:
    return [
        path("audit/", audit_log, name="audit_log"),
        path("audit/export.csv", audit_log_export, name="audit_log_export"),
    ]


class AuditMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.has_perm("audit.view_auditentry")


def admin_menu_item() -> MenuItem:
    return AuditMenuItem("Audit log", reverse("audit_log"), icon_name="history", order=900)
