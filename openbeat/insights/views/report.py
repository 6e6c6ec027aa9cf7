"""Back office: the board report. Choose period, area and format; it is built in the background; download it.

Board viewers and HQ (force-wide) build the force's report or any division's; staff limited to divisions
build and see only their divisions' reports. A build outside the user's scope is a 404. Downloads are
audit-logged.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from openbeat.areas.models import Division
from openbeat.audit.services import log_action
from openbeat.core.months import MONTH, last_complete_month, month_shift
from openbeat.core.users import RequestUser, signed_in_staff
from openbeat.insights.models import ReportBuild
from openbeat.insights.render import CONTENT_TYPES, FORMATS
from openbeat.insights.render.html import period_name
from openbeat.insights.report_tasks import BUILD_OPTIONS, report_build_request, report_file
from openbeat.staff.scope import scope_for

VIEW_PERMISSION = "insights.view_insights"
FORMAT_LABELS = {
    "pdf": "PDF (to print or send)",
    "xlsx": "Excel workbook (one sheet per table)",
    "html": "Web page (HTML)",
    "json": "JSON (every figure, for other tools)",
}


def builds_for(user: RequestUser) -> QuerySet[ReportBuild]:
    """The builds `user` may see: all for force-wide staff; otherwise their divisions' (not the force's)."""
    scope = scope_for(user)
    builds = ReportBuild.objects.select_related("division", "created_by")
    if scope.force_wide:
        return builds
    return builds.filter(division_id__in=scope.division_ids)


class ReportForm(forms.Form):
    period_from = forms.RegexField(
        regex=MONTH,
        label="First month",
        help_text="For example, 2026-01",
        error_messages={"invalid": "Enter a month like 2026-01"},
    )
    period_to = forms.RegexField(
        regex=MONTH,
        label="Last month",
        help_text="For example, 2026-03",
        error_messages={"invalid": "Enter a month like 2026-03"},
    )
    division = forms.ChoiceField(label="Area", required=False)
    comparison = forms.ChoiceField(
        label="Compare with",
        choices=[
            ("within", "Within the period: follower counts month by month, other figures with the period before"),
            ("previous", "The period just before"),
            ("year", "The same months a year earlier"),
            ("none", "Nothing"),
        ],
        initial="within",
        required=False,
        widget=forms.RadioSelect,
    )
    grouping = forms.ChoiceField(
        label="Rows of the tables",
        choices=[("group", "One per reporting group (division)"), ("account", "One per account")],
        initial="group",
        required=False,
        widget=forms.RadioSelect,
    )
    threshold_pct = forms.FloatField(
        label="Totals that disagree: a major warning above (%)",
        help_text="Every disagreement between a reported total and its accounts is shown; above this share it is "
        "marked major. For example, 1",
        min_value=0,
        max_value=100,
        required=False,
        error_messages={"invalid": "Enter a percentage, like 1 or 2.5", "min_value": "Enter 0 or more"},
    )
    output_format = forms.ChoiceField(
        label="Format", choices=[(value, FORMAT_LABELS[value]) for value in FORMATS], widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, user: RequestUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        self.divisions = {d.code: d for d in scope.filter(Division.objects.order_by("name"), field="pk")}
        choices = [(code, division.name) for code, division in self.divisions.items()]
        division = self.fields["division"]
        assert isinstance(division, forms.ChoiceField)
        division.choices = [("", "Whole force"), *choices] if scope.force_wide else choices
        division.required = not scope.force_wide

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("period_from"), cleaned.get("period_to")
        if first and last and first > last:
            self.add_error("period_to", "The last month must be the same as or after the first month")
        if last and last > last_complete_month():
            self.add_error("period_to", "The last month must be a month that has ended")
        cleaned["division_obj"] = self.divisions.get(cleaned.get("division") or "")
        return cleaned


@permission_required(VIEW_PERMISSION, raise_exception=True)
@never_cache
def report_index(request: HttpRequest) -> HttpResponse:
    last = last_complete_month()
    initial = {"period_from": month_shift(last, -2), "period_to": last, "output_format": "pdf"}
    form = ReportForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            build = report_build_request(
                period_from=form.cleaned_data["period_from"],
                period_to=form.cleaned_data["period_to"],
                output_format=form.cleaned_data["output_format"],
                division=form.cleaned_data["division_obj"],
                options={key: form.cleaned_data.get(key) for key in BUILD_OPTIONS},
                actor=signed_in_staff(request),
                request=request,
            )
        return redirect("insights_staff:report_build", build.pk)
    return render(request, "insights/report/index.html", {"form": form, "builds": builds_for(request.user)[:20]})


def _build(request: HttpRequest, pk: int) -> ReportBuild:
    return get_object_or_404(builds_for(request.user), pk=pk)


def build_status(build: ReportBuild) -> dict[str, Any]:
    return {
        "status": build.status,
        "status_label": build.get_status_display(),
        "finished": build.status in (ReportBuild.Status.DONE, ReportBuild.Status.FAILED),
        "ready": build.status == ReportBuild.Status.DONE,
        "error": build.error,
    }


@permission_required(VIEW_PERMISSION, raise_exception=True)
@require_GET
@never_cache
def report_build_page(request: HttpRequest, pk: int) -> HttpResponse:
    build = _build(request, pk)
    context = {"build": build, "period": period_name(build.period_from, build.period_to), "status": build_status(build)}
    return render(request, "insights/report/build.html", context)


@permission_required(VIEW_PERMISSION, raise_exception=True)
@require_GET
@never_cache
def report_build_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the build page polls while the report is queued or building."""
    return JsonResponse(build_status(_build(request, pk)))


@permission_required(VIEW_PERMISSION, raise_exception=True)
@require_GET
@never_cache
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    build = _build(request, pk)
    path = report_file(build)
    if path is None:
        raise Http404("This report is not ready, or its file has been removed.")
    log_action("insights.report.download", actor=request.user, target=build, request=request, division=build.division)
    area = build.division.code if build.division else "force"
    name = f"board-report-{area}-{build.period_from}-to-{build.period_to}.{build.format}"
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=name, content_type=CONTENT_TYPES.get(build.format)
    )
