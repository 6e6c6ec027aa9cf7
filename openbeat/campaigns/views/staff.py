"""The back office's campaigns: list, create, edit, and the campaign's page with its results per channel.

Campaigns are only ever read through `campaigns_for(user)` (outside it: 404); changing one is
`campaign_can_manage` and the services' own checks. The services write the audit log; these views never do.
"""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from wagtail.admin import messages

from openbeat.campaigns import services
from openbeat.campaigns.forms import CampaignForm
from openbeat.campaigns.models import Campaign
from openbeat.campaigns.results_chart import views_chart
from openbeat.campaigns.selectors import campaign_results, campaigns_for
from openbeat.core.users import signed_in_staff
from openbeat.insights.render.charts import cached_chart_svg


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(campaigns_for(request.user), pk=pk)


def _form_page(request: HttpRequest, form: CampaignForm, campaign: Campaign | None) -> HttpResponse:
    return render(request, "campaigns/staff/campaign_form.html", {"form": form, "campaign": campaign})


@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(campaigns_for(request.user), 50).get_page(request.GET.get("p"))
    return render(
        request,
        "campaigns/staff/campaign_list.html",
        {"page": page, "can_add": request.user.has_perm("campaigns.manage_campaign")},
    )


@permission_required("campaigns.manage_campaign", raise_exception=True)
def campaign_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, CampaignForm(user=request.user), None)
    form = CampaignForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            campaign = services.campaign_create(
                author=signed_in_staff(request), request=request, **form.service_values()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except services.CampaignPermissionError as error:
            form.add_error("owner", error.message)
        else:
            messages.success(request, f"Campaign '{campaign.name}' saved.")
            return redirect("campaigns_staff:detail", pk=campaign.pk)
    return _form_page(request, form, None)


@permission_required("campaigns.manage_campaign", raise_exception=True)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not services.campaign_can_manage(request.user, campaign):
        raise PermissionDenied("You cannot change this campaign")
    if request.method != "POST":
        return _form_page(
            request, CampaignForm(user=request.user, initial=CampaignForm.initial_for(campaign)), campaign
        )
    form = CampaignForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.campaign_update(
                campaign=campaign, editor=signed_in_staff(request), request=request, **form.service_values()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except services.CampaignPermissionError as error:
            form.add_error("owner", error.message)
        else:
            messages.success(request, f"Campaign '{form.cleaned_data['name']}' saved.")
            return redirect("campaigns_staff:detail", pk=campaign.pk)
    return _form_page(request, form, campaign)


@permission_required("campaigns.view_campaign", raise_exception=True)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    results = campaign_results(campaign)
    chart = views_chart(results)
    return render(
        request,
        "campaigns/staff/campaign_detail.html",
        {
            "campaign": campaign,
            "results": results,
            # cached_chart_svg draws from numbers and labels only, escaped by matplotlib's SVG writer.
            "chart": mark_safe(cached_chart_svg(chart, id_prefix=f"campaign-{campaign.pk}")) if chart else "",
            "can_manage": services.campaign_can_manage(request.user, campaign),
        },
    )
