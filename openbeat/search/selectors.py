"""Site search: Wagtail's search over the public pages (news, appeals, advice, the force's own pages), with the
neighbourhoods (plain Django rows, not Wagtail pages) found by name or postcode put first.

Neighbourhoods are queried here rather than indexed by Wagtail: areas sits at the bottom of the layers and knows
nothing of search, and a name look-up over a few hundred rows is one indexed-enough query.

Only live pages that are public (no view restriction on them or above them) are searched. What is shown for a
hit (title, summary, date) is read from the live row, never from the index, so a page's latest published words
are what a resident sees.

Cost per results page: one search query and one count, one query per page type on the page (the specific
rows), one neighbourhood query and, for something shaped like a postcode, one postcode look-up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from django.db.models import Q
from wagtail.models import Page
from wagtail.query import PageQuerySet
from wagtail.search.backends import get_search_backend

from openbeat.areas.models import Neighbourhood
from openbeat.areas.postcodes import MalformedPostcode, PostcodeError, postcode_locate
from openbeat.core.models import ContentPage
from openbeat.news.models import AppealPage, NewsPage
from openbeat.youth.models import ParentsArticlePage, YouthArticlePage

MAX_TERMS = 12
NEIGHBOURHOOD_LIMIT = 10


class Kind:
    NEWS = "news"
    APPEAL = "appeal"
    ADVICE = "advice"
    NEIGHBOURHOOD = "neighbourhood"
    PAGE = "page"


KIND_LABELS = {
    Kind.NEWS: "News",
    Kind.APPEAL: "Appeal",
    Kind.ADVICE: "Advice",
    Kind.NEIGHBOURHOOD: "Neighbourhood",
    Kind.PAGE: "Information",
}


@dataclass(frozen=True)
class Hit:
    """One result as the page shows it."""

    title: str
    url: str
    kind: str
    summary: str
    date: datetime | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def search_terms(text: str) -> str:
    """The words of what was typed, for the search backend: letters and digits only, so that quotes, operators
    or brackets (which SQLite's FTS and PostgreSQL's tsquery would read as syntax) never reach it."""
    return " ".join(re.findall(r"\w+", text)[:MAX_TERMS])


def _pages(kind: str) -> PageQuerySet:
    pages: PageQuerySet = Page.objects.live().public()
    if kind == Kind.NEWS:
        return pages.exact_type(NewsPage)
    if kind == Kind.APPEAL:
        return pages.type(AppealPage)
    if kind == Kind.ADVICE:
        return pages.type(YouthArticlePage, ParentsArticlePage)
    if kind == Kind.PAGE:
        return pages.type(ContentPage)
    return pages.type(NewsPage, YouthArticlePage, ParentsArticlePage, ContentPage)


def _kind_of(page: Page) -> str:
    if isinstance(page, AppealPage):
        return Kind.APPEAL
    if isinstance(page, NewsPage):
        return Kind.NEWS
    if isinstance(page, YouthArticlePage | ParentsArticlePage):
        return Kind.ADVICE
    return Kind.PAGE


def _hit_of_page(page: Page) -> Hit:
    summary = getattr(page, "summary", "") or page.search_description
    return Hit(
        title=page.title,
        url=page.url or "",
        kind=_kind_of(page),
        summary=summary,
        date=page.first_published_at,
    )


def _hit_of_neighbourhood(neighbourhood: Neighbourhood, postcode: str = "") -> Hit:
    division = neighbourhood.division.name
    summary = (
        f"The neighbourhood that covers {postcode}, in {division}." if postcode else f"A neighbourhood in {division}."
    )
    return Hit(
        title=neighbourhood.name,
        url=neighbourhood.get_absolute_url(),
        kind=Kind.NEIGHBOURHOOD,
        summary=summary,
        date=None,
    )


@dataclass(frozen=True)
class PostcodeNote:
    """What the search made of a postcode-shaped query: its neighbourhood, or why there is none."""

    postcode: str
    neighbourhood: Neighbourhood | None
    problem: str


def _postcode_lookup(text: str) -> PostcodeNote | None:
    """None unless the whole query is shaped like a UK postcode."""
    try:
        location = postcode_locate(text)
    except MalformedPostcode:
        return None
    except PostcodeError as error:
        return PostcodeNote(postcode=text.strip().upper(), neighbourhood=None, problem=error.message)
    return PostcodeNote(postcode=location.postcode, neighbourhood=location.neighbourhood, problem="")


def neighbourhood_hits(text: str, terms: str) -> tuple[list[Hit], PostcodeNote | None]:
    """Neighbourhoods whose name holds every word typed (or the typed words as one phrase), and the one a typed
    postcode is in, first."""
    note = _postcode_lookup(text) if len(text) <= 10 else None
    hits: list[Hit] = []
    seen: set[int] = set()
    if note is not None and note.neighbourhood is not None:
        hits.append(_hit_of_neighbourhood(note.neighbourhood, note.postcode))
        seen.add(note.neighbourhood.pk)
    words = terms.split()
    if words and note is None:
        condition = Q()
        for word in words:
            condition &= Q(name__icontains=word)
        found = Neighbourhood.objects.filter(condition | Q(code__iexact=terms)).select_related("division")
        for neighbourhood in found.order_by("name", "pk")[:NEIGHBOURHOOD_LIMIT]:
            if neighbourhood.pk not in seen:
                hits.append(_hit_of_neighbourhood(neighbourhood))
    return hits, note


class Results(Sequence[Hit]):
    """The neighbourhood hits, then the page hits, as one sequence a Paginator can count and slice: only the
    slice shown is fetched from the search backend, and its pages turned into their specific types."""

    def __init__(self, first: list[Hit], pages: Any) -> None:
        self._first = first
        self._pages = pages
        self._count: int | None = None

    def count(self) -> int:  # type: ignore[override]
        if self._count is None:
            self._count = len(self._first) + (self._pages.count() if self._pages is not None else 0)
        return self._count

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Hit: ...
    @overload
    def __getitem__(self, index: slice) -> list[Hit]: ...
    def __getitem__(self, index: int | slice) -> Hit | list[Hit]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(self.count())
        hits = self._first[start:stop]
        if self._pages is not None and stop > len(self._first):
            page_start = max(start - len(self._first), 0)
            page_stop = stop - len(self._first)
            hits += _specific_hits(list(self._pages[page_start:page_stop]))
        return hits


def _specific_hits(pages: list[Page]) -> list[Hit]:
    """The pages in the order the search ranked them, each as its own type (one query per type)."""
    specific = {p.pk: p for p in Page.objects.filter(pk__in=[p.pk for p in pages]).specific()}
    return [_hit_of_page(specific[p.pk]) for p in pages if p.pk in specific]


@dataclass(frozen=True)
class Search:
    query: str
    kind: str
    results: Results
    postcode: PostcodeNote | None


def site_search(*, query: str, kind: str = "") -> Search:
    """Search the public site for `query`, optionally one kind of result (a key of KIND_LABELS)."""
    terms = search_terms(query)
    first: list[Hit] = []
    note = None
    if kind in ("", Kind.NEIGHBOURHOOD):
        first, note = neighbourhood_hits(query.strip(), terms)
    pages = None
    if terms and kind != Kind.NEIGHBOURHOOD:
        pages = get_search_backend().search(terms, _pages(kind), operator="and")
    return Search(query=query, kind=kind, results=Results(first, pages), postcode=note)
