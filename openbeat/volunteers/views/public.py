"""Residents' pages: volunteering opportunities open now, and each one's page with a way to register interest
(Do It Online's "Join us" journey, which the recruitment team already answers)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from openbeat.volunteers import selectors
from openbeat.volunteers.models import Role


@require_GET
def opportunity_list(request: HttpRequest) -> HttpResponse:
    opportunities = list(selectors.public_opportunities())
    return render(
        request,
        "volunteers/opportunity_list.html",
        {"opportunities": opportunities, "roles": Role.choices, "join_url": selectors.join_us_url()},
    )


@require_GET
def opportunity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    opportunity = get_object_or_404(selectors.public_opportunities(), slug=slug)
    return render(
        request,
        "volunteers/opportunity_detail.html",
        {"opportunity": opportunity, "join_url": selectors.join_us_url()},
    )
