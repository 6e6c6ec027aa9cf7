"""The news index's list: its live children, filtered by the public form, a page at a time."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import QueryDict

from openbeat.areas.models import Division, Neighbourhood
from openbeat.news.forms import NewsFilterForm
from openbeat.news.models import NewsIndexPage
from openbeat.news.selectors import item_of, news_concerning, published_news

PER_PAGE = 10


def index_context(*, index: NewsIndexPage, params: QueryDict) -> dict[str, Any]:
    """The index page's list: its live children, filtered as the form says, a page at a time."""
    form = NewsFilterForm(params or None)
    pages = published_news().descendant_of(index)
    filtered = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        division = Division.objects.filter(code=data["division"]).first() if data["division"] else None
        neighbourhood = (
            Neighbourhood.objects.filter(code=data["neighbourhood"]).first() if data["neighbourhood"] else None
        )
        pages = news_concerning(pages, division=division, neighbourhood=neighbourhood)
        if data["kind"] == "appeals":
            pages = pages.filter(appealpage__isnull=False)
        elif data["kind"] == "news":
            pages = pages.filter(appealpage__isnull=True)
        filtered = bool(division or neighbourhood or data["kind"])
    page = Paginator(pages, PER_PAGE).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return {
        "form": form,
        "filtered": filtered,
        "page_obj": page,
        "items": [item_of(p) for p in page.object_list],
        "query": query.urlencode(),
    }
