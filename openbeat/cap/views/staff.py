"""The back office's urgent warnings: the list, publishing a sent alert as a warning, its page with every
message issued, update and cancel.

Warnings are read through `warnings_for(user)` and alerts through `alerts_for(user)` (outside them: 404); what
a user may do is `services.warning_problem`, which the services enforce again. The services write the audit log.
A signing failure publishes nothing: the page says so and keeps what was typed.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from wagtail.admin import messages

from openbeat.alerts.models import Alert
from openbeat.alerts.selectors import alerts_for
from openbeat.cap import services
from openbeat.cap.forms import CancelForm, WarningForm
from openbeat.cap.models import UrgentWarning
from openbeat.cap.selectors import alerts_to_warn, warnings_for
from openbeat.cap.signing import CapSigningError
from openbeat.core.users import signed_in_staff

PERMISSION = "cap.issue_warning"
SIGNING_FAILED = (
    "Nothing was published: the warning could not be signed ({error}). Ask an administrator to check the "
    "CAP signing key and certificate; the failure has been recorded."
)


def _languages(alert: Alert) -> list[str]:
    return list(alert.translations.order_by("language").values_list("language", flat=True))


def _warning(request: HttpRequest, pk: int) -> UrgentWarning:
    warning = get_object_or_404(warnings_for(request.user), pk=pk)
    problem = services.warning_problem(request.user, warning.alert)
    if problem:
        raise PermissionDenied(problem)
    return warning


def _form_page(
    request: HttpRequest, form: WarningForm, alert: Alert, warning: UrgentWarning | None = None
) -> HttpResponse:
    return render(request, "cap/staff/warning_form.html", {"form": form, "alert": alert, "warning": warning})


@permission_required(PERMISSION, raise_exception=True)
def warning_list(request: HttpRequest) -> HttpResponse:
    warnings = warnings_for(request.user).prefetch_related("messages")[:100]
    return render(
        request,
        "cap/staff/warning_list.html",
        {"warnings": warnings, "alerts": alerts_to_warn(request.user)},
    )


@permission_required(PERMISSION, raise_exception=True)
def warning_new(request: HttpRequest, alert_pk: int) -> HttpResponse:
    alert = get_object_or_404(alerts_for(request.user), pk=alert_pk)
    problem = services.warning_problem(request.user, alert)
    if problem:
        raise PermissionDenied(problem)
    existing = UrgentWarning.objects.filter(alert=alert).first()
    if existing is not None:
        messages.info(request, "This alert is already an urgent warning: update it here.")
        return redirect("cap_staff:detail", pk=existing.pk)
    if alert.state != Alert.State.SENT:
        messages.error(request, "Only a sent alert can be published as an urgent warning.")
        return redirect("cap_staff:list")
    languages = _languages(alert)
    if request.method != "POST":
        return _form_page(request, WarningForm(initial=services.warning_defaults(alert), languages=languages), alert)
    form = WarningForm(request.POST, languages=languages)
    if form.is_valid():
        try:
            message = services.warning_issue(
                alert=alert, actor=signed_in_staff(request), request=request, **form.service_values()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except services.WarningStateError as error:
            form.add_error(None, error.message)
        except CapSigningError as error:
            form.add_error(None, SIGNING_FAILED.format(error=error.message))
        else:
            messages.success(request, f"Published as an urgent warning ({message.status}).")
            return redirect("cap_staff:detail", pk=message.warning_id)
    return _form_page(request, form, alert)


def _detail_page(request: HttpRequest, warning: UrgentWarning, cancel_form: CancelForm) -> HttpResponse:
    return render(
        request,
        "cap/staff/warning_detail.html",
        {
            "warning": warning,
            "alert": warning.alert,
            "messages_issued": warning.messages.select_related("issued_by").order_by("-sent_at", "-pk"),
            "cancel_form": cancel_form,
        },
    )


@permission_required(PERMISSION, raise_exception=True)
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _warning(request, pk), CancelForm())


@permission_required(PERMISSION, raise_exception=True)
def warning_update(request: HttpRequest, pk: int) -> HttpResponse:
    warning = _warning(request, pk)
    if warning.is_cancelled:
        messages.error(request, "A cancelled warning cannot be updated.")
        return redirect("cap_staff:detail", pk=warning.pk)
    languages = _languages(warning.alert)
    if request.method != "POST":
        form = WarningForm(initial=WarningForm.initial_for(warning), languages=languages)
        return _form_page(request, form, warning.alert, warning)
    form = WarningForm(request.POST, languages=languages)
    if form.is_valid():
        try:
            services.warning_update(
                warning=warning, actor=signed_in_staff(request), request=request, **form.service_values()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except services.WarningStateError as error:
            form.add_error(None, error.message)
        except CapSigningError as error:
            form.add_error(None, SIGNING_FAILED.format(error=error.message))
        else:
            messages.success(request, "Update published: it names every earlier message of this warning.")
            return redirect("cap_staff:detail", pk=warning.pk)
    return _form_page(request, form, warning.alert, warning)


@permission_required(PERMISSION, raise_exception=True)
def warning_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    warning = _warning(request, pk)
    if request.method != "POST":
        return redirect("cap_staff:detail", pk=warning.pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.warning_cancel(
                warning=warning, actor=signed_in_staff(request), note=form.cleaned_data["note"], request=request
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("note", message)
        except services.WarningStateError as error:
            form.add_error(None, error.message)
        except CapSigningError as error:
            form.add_error(None, SIGNING_FAILED.format(error=error.message))
        else:
            messages.success(request, "Warning cancelled. It stays in the feed, marked cancelled, for aggregators.")
            return redirect("cap_staff:detail", pk=warning.pk)
    return _detail_page(request, warning, form)
