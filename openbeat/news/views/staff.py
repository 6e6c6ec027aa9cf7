"""The back office's appeals: the list (the user's division, or all for force-wide roles) and an appeal's page,
where staff post an update or set the outcome (which sends the follow-up alerts). Out-of-scope appeals are
refused; every write goes through `news.services`, which checks again and writes the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages

from openbeat.alerts.services import AlertPermissionError, AlertStateError
from openbeat.alerts.targeting import TargetingError
from openbeat.core.users import signed_in_staff
from openbeat.news import selectors, services
from openbeat.news.forms import AppealOutcomeForm, AppealUpdateForm
from openbeat.news.models import AppealPage

PERMISSION = services.PERMISSION


def _appeal(request: HttpRequest, pk: int) -> AppealPage:
    appeal = AppealPage.objects.filter(pk=pk).first()
    if appeal is None:
        raise Http404
    if not selectors.appeal_in_scope(request.user, appeal):
        raise PermissionDenied
    return appeal


def _page(request: HttpRequest, appeal: AppealPage, update_form: AppealUpdateForm, outcome_form: AppealOutcomeForm):
    return render(
        request,
        "news/staff/appeal.html",
        {
            "appeal": appeal,
            "updates": appeal.updates.all(),
            "follow_ups": appeal.follow_ups.select_related("original", "follow_up"),
            "update_form": update_form,
            "outcome_form": outcome_form,
        },
    )


@permission_required(PERMISSION, raise_exception=True)
def appeal_list(request: HttpRequest) -> HttpResponse:
    appeals = selectors.appeals_for_staff(request.user)[:500]
    return render(request, "news/staff/appeal_list.html", {"appeals": appeals})


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The appeal's state and the "Post an update" form (posted here)."""
    appeal = _appeal(request, pk)
    form = AppealUpdateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.appeal_add_update(
            appeal=appeal, actor=signed_in_staff(request), note=form.cleaned_data["note"], request=request
        )
        messages.success(request, "Update posted: it shows on the appeal now.")
        return redirect("news_staff:appeal", pk=appeal.pk)
    initial = {"outcome": appeal.outcome, "note": appeal.outcome_note} if appeal.outcome else None
    return _page(request, appeal, form, AppealOutcomeForm(initial=initial))


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def appeal_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _appeal(request, pk)
    form = AppealOutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_set_outcome(
                appeal=appeal,
                actor=signed_in_staff(request),
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except (AlertPermissionError, AlertStateError, TargetingError, ValidationError) as error:
            form.add_error(None, f"The follow-up alert could not be sent, so the outcome was not saved: {error}")
        else:
            messages.success(request, "Outcome saved. Follow-ups go to the people the appeal's alerts reached.")
            return redirect("news_staff:appeal", pk=appeal.pk)
    return _page(request, appeal, AppealUpdateForm(), form)
