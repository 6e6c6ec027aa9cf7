"""The public search page, /search/?q=...&type=...&page=..."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openbeat.core.ratelimit import ratelimit
from openbeat.search.forms import SearchForm
from openbeat.search.selectors import site_search

PER_PAGE = 10


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    # Only a search counts against the limit: the empty search page is the same for everyone.
    if request.GET.get("q", "").strip():
        return _search(request)
    return render(request, "search/search.html", {"form": SearchForm(request.GET or None), "searched": False})


@ratelimit(key="site-search", limit=60, period=60)
def _search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    context: dict[str, Any] = {"form": form, "searched": False}
    if form.is_valid() and form.cleaned_data["q"]:
        found = site_search(query=form.cleaned_data["q"], kind=form.cleaned_data["type"])
        paginator = Paginator(found.results, PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            searched=True,
            search=found,
            page_obj=page,
            hits=list(page.object_list),
            page_range=list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
            ellipsis=Paginator.ELLIPSIS,
            query=query.urlencode(),
        )
    return render(request, "search/search.html", context)
