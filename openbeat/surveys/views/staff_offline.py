"""The back office's pages for the officer's offline app: which officers carry a survey on their phone, and the
phones themselves (set one up, see them, switch one off). Permission rules are in surveys.devices; the services
write the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from openbeat.core.users import signed_in_staff, user_name
from openbeat.surveys import devices, services
from openbeat.surveys.views.staff import _any_survey_permission, _managed, _survey


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Officer")

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        field.queryset = queryset  # type: ignore[attr-defined]
        field.label_from_instance = user_name  # type: ignore[attr-defined]


class DeviceForm(forms.Form):
    label = forms.CharField(
        max_length=80, label="Name this phone", help_text="For example 'Work phone'. Helps tell your phones apart."
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why is this phone being switched off?",
        help_text="For example 'Reported lost'. The officer's supervisor and the audit log see this.",
        error_messages={"required": "Say why the phone is being switched off"},
    )


@_any_survey_permission
def survey_officers(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    can_manage = services.survey_can_manage(request.user, survey)
    assigned = survey.assignments.select_related("officer", "assigned_by")
    choices = devices.assignable_officers(survey).exclude(survey_assignments__survey=survey)
    form = AssignForm(request.POST or None, queryset=choices)
    if request.method == "POST":
        survey = _managed(request, pk)
        if form.is_valid():
            try:
                devices.assignment_add(
                    survey=survey, officer=form.cleaned_data["officer"], actor=signed_in_staff(request), request=request
                )
            except services.SurveyPermissionError as error:
                form.add_error("officer", error.message)
            else:
                messages.success(request, f"{user_name(form.cleaned_data['officer'])} now has this survey.")
                return redirect("surveys_staff:officers", pk=pk)
    return render(
        request,
        "surveys/staff/survey_officers.html",
        {"survey": survey, "assigned": assigned, "form": form, "can_manage": can_manage},
    )


@require_POST
@_any_survey_permission
def survey_officer_remove(request: HttpRequest, pk: int, officer_pk: int) -> HttpResponse:
    survey = _managed(request, pk)
    devices.assignment_remove(survey=survey, officer_id=officer_pk, actor=signed_in_staff(request), request=request)
    messages.success(request, "The survey was taken off the officer's phone.")
    return redirect("surveys_staff:officers", pk=pk)


@never_cache
@_any_survey_permission
def device_list(request: HttpRequest) -> HttpResponse:
    """Your phones (and, for survey managers, your division's); POST sets up a new phone and shows its one-time
    code on this response only (never in a URL)."""
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, code = devices.device_create(
            officer=signed_in_staff(request), label=form.cleaned_data["label"], request=request
        )
        response = render(
            request,
            "surveys/staff/device_code.html",
            {"device": device, "code": code, "app_url": request.build_absolute_uri("/officer/surveys/")},
        )
        response["Cache-Control"] = "no-store"
        return response
    rows = [
        {"device": device, "can_revoke": devices.device_can_manage(request.user, device)}
        for device in devices.devices_for(request.user)[:500]
    ]
    return render(request, "surveys/staff/device_list.html", {"rows": rows, "form": form})


@_any_survey_permission
def device_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(devices.devices_for(request.user), pk=pk)
    if not devices.device_can_manage(request.user, device):
        raise PermissionDenied("You cannot switch off this phone")
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        devices.device_revoke(
            device=device, actor=signed_in_staff(request), reason=form.cleaned_data["reason"], request=request
        )
        messages.success(request, f"'{device.label}' is switched off: it can send no more answers.")
        return redirect("surveys_staff:devices")
    return render(request, "surveys/staff/device_revoke.html", {"device": device, "form": form})


__all__ = ["device_list", "device_revoke", "survey_officer_remove", "survey_officers"]
