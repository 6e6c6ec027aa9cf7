"""Entering by hand the figures no export has: events held, PACT attendance, Citizens in Policing counts.

A figure is entered for an account, or for a reporting group (kept under the group's own "other" account, so
group figures sit beside channel figures in every KPI). Entering a figure that exists replaces it; every entry
and correction is audit-logged with the value it replaced.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from wagtail.admin import messages

from openbeat.areas.models import Neighbourhood
from openbeat.core.months import is_month, month_of
from openbeat.core.users import signed_in_staff
from openbeat.insights.models import Account, Metric, Observation, ReportingGroup
from openbeat.insights.services import account_get_or_create, observation_enter

PERMISSION = "insights.import_observations"
# The standard figures that have no export, offered first.
MANUAL_METRICS = [
    "events_held",
    "event_attendance",
    "pact_meetings",
    "pact_attendance",
    "surveys_run",
    "survey_responses",
    "special_constables",
    "cadets",
    "volunteers",
    "nhw_schemes",
]


def _metrics() -> Any:
    first = Case(
        *[When(slug=slug, then=Value(i)) for i, slug in enumerate(MANUAL_METRICS)],
        default=Value(len(MANUAL_METRICS)),
        output_field=IntegerField(),
    )
    return Metric.objects.annotate(first=first).order_by("first", "name")


class ManualForm(forms.Form):
    month = forms.CharField(label="Month", max_length=7, help_text="For example 2025-03.")
    group = forms.ModelChoiceField(
        label="Reporting group",
        queryset=ReportingGroup.objects.all(),
        required=False,
        help_text="For a figure of a division or group as a whole (e.g. special constables in West).",
    )
    account = forms.ModelChoiceField(
        label="Or an account",
        queryset=Account.objects.filter(active=True),
        required=False,
        help_text="For a figure of one channel account.",
    )
    metric = forms.ModelChoiceField(label="Figure", queryset=Metric.objects.none())
    value = forms.FloatField(label="Value", min_value=0)
    neighbourhood = forms.ModelChoiceField(
        label="Neighbourhood (optional)",
        queryset=Neighbourhood.objects.all(),
        required=False,
        help_text="Where it happened, e.g. the neighbourhood an event was held in, for the engagement gap map.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = _metrics()  # type: ignore[attr-defined]

    def clean_month(self) -> str:
        month = self.cleaned_data["month"].strip()
        if not is_month(month):
            raise ValidationError("Enter the month as year and month, for example 2025-03.")
        return month

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("group")) == bool(cleaned.get("account")):
            raise ValidationError("Choose either a reporting group or an account.")
        return cleaned

    def target_account(self) -> Account:
        if self.cleaned_data["account"] is not None:
            return self.cleaned_data["account"]
        group = self.cleaned_data["group"]
        return account_get_or_create(platform=Account.Platform.OTHER, name=group.name, group=group)


def _recent() -> Any:
    return (
        Observation.objects.filter(batch__isnull=True, entered_by__isnull=False)
        .select_related("account", "metric", "entered_by", "neighbourhood")
        .order_by("-updated_at")[:30]
    )


@permission_required(PERMISSION, raise_exception=True)
def manual_enter(request: HttpRequest) -> HttpResponse:
    form = ManualForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        observation = observation_enter(
            account=form.target_account(),
            metric=data["metric"],
            period=data["month"],
            value=data["value"],
            neighbourhood=data["neighbourhood"],
            actor=signed_in_staff(request),
            request=request,
        )
        messages.success(request, f"Saved: {observation.metric.name} for {data['month']}, {observation.account.name}.")
        return redirect("insights_staff:manual")
    return TemplateResponse(request, "insights/manual/enter.html", {"form": form, "recent": _recent()})


class CorrectForm(forms.Form):
    value = forms.FloatField(label="Value", min_value=0)


@permission_required(PERMISSION, raise_exception=True)
def manual_edit(request: HttpRequest, pk: int) -> HttpResponse:
    observation = get_object_or_404(Observation.objects.select_related("account", "metric", "group"), pk=pk)
    form = CorrectForm(request.POST or None, initial={"value": observation.value})
    if request.method == "POST" and form.is_valid():
        observation_enter(
            account=observation.account,
            metric=observation.metric,
            period=_period_text(observation),
            value=form.cleaned_data["value"],
            neighbourhood=observation.neighbourhood,
            dimension=observation.dimension,
            group=observation.group,
            actor=signed_in_staff(request),
            request=request,
        )
        messages.success(request, f"Corrected: {observation.metric.name}, {observation.account.name}.")
        return redirect("insights_staff:manual")
    context = {"form": form, "observation": observation, "period": _period_text(observation)}
    return TemplateResponse(request, "insights/manual/edit.html", context)


def _period_text(observation: Observation) -> str:
    if observation.granularity == Observation.Granularity.MONTH:
        return month_of(observation.period_start)
    return observation.period_start.isoformat()
