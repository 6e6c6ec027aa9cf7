"""Public "you said, we did" pages: every published priority of a neighbourhood with its history, and one
priority's page. Drafts do not exist here (404)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from openbeat.areas.models import Neighbourhood
from openbeat.priorities import selectors
from openbeat.priorities.models import Status


def _neighbourhood(code: str) -> Neighbourhood:
    if "\x00" in code:  # PostgreSQL refuses NUL in text: no such neighbourhood, not an error
        raise Http404
    return get_object_or_404(Neighbourhood.objects.select_related("division"), code=code[:40])


@require_GET
def priority_list(request: HttpRequest, code: str) -> HttpResponse:
    neighbourhood = _neighbourhood(code)
    priorities = list(selectors.published_priorities(neighbourhood))
    return render(
        request,
        "priorities/list.html",
        {
            "neighbourhood": neighbourhood,
            "current": [p for p in priorities if p.status != Status.DONE],
            "done": [p for p in priorities if p.status == Status.DONE],
        },
    )


@require_GET
def priority_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    neighbourhood = _neighbourhood(code)
    priority = selectors.published_priorities(neighbourhood).filter(pk=pk).first()
    if priority is None:
        raise Http404
    return render(request, "priorities/detail.html", {"neighbourhood": neighbourhood, "priority": priority})
