"""Public "voice your concerns" pages: the form (rate-limited per client and per address typed), "check your
email", the emailed link (GET shows a button, so a mail scanner uses nothing up; POST counts the response), and
the month's results with small counts withheld."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from openbeat.areas.models import Neighbourhood
from openbeat.concerns import selectors, services
from openbeat.concerns.forms import ConcernsForm
from openbeat.core.ratelimit import ratelimit
from openbeat.core.tokens import LinkExpired, LinkInvalid, LinkUsed

TEMPLATES = "concerns"


def _neighbourhood(code: str) -> Neighbourhood:
    if "\x00" in code:  # PostgreSQL refuses NUL in text: no such neighbourhood, not an error
        raise Http404
    return get_object_or_404(Neighbourhood.objects.select_related("division"), code=code[:40])


def _typed_email(request: HttpRequest) -> str | None:
    return request.POST.get("email", "").strip()[:254] or None


def _form_page(request: HttpRequest, neighbourhood: Neighbourhood, form: ConcernsForm) -> HttpResponse:
    month = services.current_month()
    return render(
        request,
        f"{TEMPLATES}/respond.html",
        {"neighbourhood": neighbourhood, "form": form, "month_label": services.month_label(month)},
    )


@ratelimit(key="concerns-respond", limit=10, period=3600, by=_typed_email)
def _submit(request: HttpRequest, neighbourhood: Neighbourhood) -> HttpResponse:
    form = ConcernsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.concern_response_start(
                neighbourhood=neighbourhood,
                email=data["email"],
                concern_ids=[c.pk for c in data["concerns"]],
                comment=data["comment"],
                request=request,
            )
        except services.ConcernsInvalid as error:
            for name, message in error.errors.items():
                form.add_error(name if name in form.fields else None, message)
        else:
            return redirect("concerns:sent", code=neighbourhood.code)
    return _form_page(request, neighbourhood, form)


@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, code: str) -> HttpResponse:
    neighbourhood = _neighbourhood(code)
    if request.method == "POST":
        return _submit(request, neighbourhood)
    return _form_page(request, neighbourhood, ConcernsForm())


@require_GET
def sent(request: HttpRequest, code: str) -> HttpResponse:
    return render(
        request,
        f"{TEMPLATES}/sent.html",
        {"neighbourhood": _neighbourhood(code), "lifetime": services.LIFETIME_TEXT},
    )


def _link_error(request: HttpRequest, error: LinkInvalid) -> HttpResponse:
    gone = isinstance(error, (LinkExpired, LinkUsed))
    return render(request, f"{TEMPLATES}/link_error.html", {"message": error.message}, status=410 if gone else 400)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(key="concerns-confirm", limit=30, period=3600)
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            confirmed = services.concern_response_confirm(token=token[:500], request=request)
        else:
            pending = services.concern_response_read(token[:500])
    except LinkInvalid as error:
        return _link_error(request, error)
    if request.method == "POST":
        response = confirmed.response
        return render(
            request,
            f"{TEMPLATES}/confirmed.html",
            {
                "neighbourhood": response.neighbourhood,
                "replaced": confirmed.replaced,
                "concerns": [c.name for c in response.concerns.all()],
                "month_label": services.month_label(response.month),
                "month": response.month,
            },
        )
    return render(
        request,
        f"{TEMPLATES}/confirm.html",
        {"neighbourhood": pending.neighbourhood, "month_label": services.month_label(pending.month)},
    )


@require_GET
def results(request: HttpRequest, code: str) -> HttpResponse:
    neighbourhood = _neighbourhood(code)
    month = selectors.month_or_current(request.GET.get("month"))
    shown = selectors.public_results(neighbourhood, month)
    return render(
        request,
        f"{TEMPLATES}/results.html",
        {
            "neighbourhood": neighbourhood,
            "results": shown,
            "chart": shown.chart_svg(),
            "months": selectors.months_with_responses(neighbourhood),
        },
    )
