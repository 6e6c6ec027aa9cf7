"""Do It Online's public front pages: what you can report, each type's start page, and the confirmation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from openbeat.core.journeys import sent_cookie_get, sent_cookie_set
from openbeat.reports import campaign_links
from openbeat.reports.journey import Journey, draft_cookie_set, draft_get
from openbeat.reports.models import ReportType

TEMPLATES = "reports/public"
SENT_KEY = "report_sent"
# The confirmation page reads what was sent from a signed cookie rather than the session (core.journeys says why).


def sent_get(request: HttpRequest) -> dict:
    return sent_cookie_get(request, name=SENT_KEY)


def sent_set(response: HttpResponse, value: dict) -> None:
    sent_cookie_set(response, name=SENT_KEY, value=value, path="/report/")


def active_type(slug: str) -> ReportType:
    return get_object_or_404(ReportType.objects.filter(active=True), slug=slug)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    types = ReportType.objects.filter(active=True).order_by("sort_order", "name")
    return render(request, f"{TEMPLATES}/index.html", {"types": types})


@require_GET
def start(request: HttpRequest, slug: str) -> HttpResponse:
    report_type = active_type(slug)
    journey = Journey(report_type, draft_get(request, report_type))
    campaign = request.GET.get("campaign", "")
    # Came through a campaign's link: noted in the draft, so the report is counted for it when sent.
    noted = campaign_links.campaign_known(campaign)
    if noted:
        journey.data["campaign"] = campaign
    paragraphs = [p.strip() for p in report_type.start_page.split("\n\n") if p.strip()]
    signposts = [s for s in report_type.signposts or [] if isinstance(s, dict) and s.get("text")]
    response = render(
        request,
        f"{TEMPLATES}/start.html",
        {
            "report_type": report_type,
            "paragraphs": paragraphs,
            "signposts": signposts,
            "first_url": journey.steps[0].url,
            # A draft with something in it: offer to carry on where the person left off.
            "resume_url": journey.next_url() if journey.draft is not None and journey.data.get("answers") else "",
        },
    )
    if noted:
        draft_cookie_set(response, journey.save())
    return response


@never_cache
@require_GET
def sent(request: HttpRequest, slug: str) -> HttpResponse:
    report_type = active_type(slug)
    sent = sent_get(request)
    if sent.get("slug") != slug:
        return redirect("reports:start", slug=slug)
    return render(request, f"{TEMPLATES}/sent.html", {"report_type": report_type, "sent": sent})
