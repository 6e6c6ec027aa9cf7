"""The public archive of sent alerts: a list residents can filter by area, and a shareable page per alert."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from openbeat.alerts import media
from openbeat.alerts.markdown import render_html, render_text
from openbeat.alerts.selectors import alert_coverage, alerts_covering, published_alerts
from openbeat.areas.forms import AreaFilterForm
from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.paths import absolute_url
from openbeat.core.uploads import size_in_words

PER_PAGE = 20


def _item(alert: Any, now: Any) -> dict[str, Any]:
    return {
        "alert": alert,
        "places": alert_coverage(alert).places,
        "summary": Truncator(render_text(alert.body)).words(30),
        "expired": alert.expires_at is not None and alert.expires_at <= now,
    }


@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    form = AreaFilterForm(request.GET or None)
    alerts = published_alerts()
    filtered = False
    if form.is_bound and form.is_valid():
        division = Division.objects.filter(code=form.cleaned_data["division"]).first()
        neighbourhood = Neighbourhood.objects.filter(code=form.cleaned_data["neighbourhood"]).first()
        alerts = alerts_covering(alerts, division=division, neighbourhood=neighbourhood)
        filtered = division is not None or neighbourhood is not None
    page = Paginator(alerts, PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alerts/archive.html",
        {
            "form": form,
            "filtered": filtered,
            "page": page,
            "items": [_item(alert, now) for alert in page.object_list],
            "query": query.urlencode(),
        },
    )


@require_GET
def archive_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    alert = get_object_or_404(published_alerts(), public_id=public_id)
    return render(
        request,
        "alerts/archive_detail.html",
        {
            **_item(alert, timezone.now()),
            "body_html": render_html(alert.body),
            "description": Truncator(" ".join(render_text(alert.body).split())).chars(200),
            "share_url": absolute_url(alert.get_absolute_url()),
            "image_src": media.image_url(alert),
            "image_abs": absolute_url(media.image_url(alert)) if alert.image_path else "",
            "documents": [
                (a.title, media.attachment_url(a, alert), size_in_words(a.size)) for a in alert.attachments.all()
            ],
        },
    )
