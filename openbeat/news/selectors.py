"""Reads of news and appeals: the public lists (the index, filtered by area; a neighbourhood's section), the same
lists the feeds will read (force, division, neighbourhood), and the back office's appeals in a user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from wagtail.query import PageQuerySet

from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.users import RequestUser
from openbeat.news.models import AppealPage, NewsIndexPage, NewsPage
from openbeat.staff.scope import scope_for

SECTION_LIMIT = 5


def published_news() -> PageQuerySet:
    """Every live, public news story and appeal (appeals are NewsPages too), newest first: what feeds list."""
    return (
        NewsPage.objects.live()
        .public()
        .select_related("appealpage", "lead_image")
        .order_by("-first_published_at", "-pk")
    )


def news_concerning(
    pages: QuerySet[NewsPage], *, division: Division | None = None, neighbourhood: Neighbourhood | None = None
) -> QuerySet[NewsPage]:
    """Narrow `pages` to those about a division (named, or one of its neighbourhoods) or a neighbourhood (named,
    or its whole division). Force-wide items (no areas) concern no one place and are left out."""
    if neighbourhood is not None:
        pages = pages.filter(Q(neighbourhoods=neighbourhood) | Q(divisions=neighbourhood.division_id))
    if division is not None:
        pages = pages.filter(Q(divisions=division) | Q(neighbourhoods__division=division))
    return pages.distinct() if division is not None or neighbourhood is not None else pages


def item_of(page: NewsPage) -> NewsPage:
    """The appeal behind a listed page when it is one (select_related("appealpage") fetched it), else the page."""
    appeal: AppealPage | None = getattr(page, "appealpage", None)
    return appeal if appeal is not None else page


def neighbourhood_news_section(neighbourhood: Neighbourhood) -> dict[str, Any]:
    """The neighbourhood page's "News and appeals": the latest few items about it or its division."""
    pages = news_concerning(published_news(), neighbourhood=neighbourhood)[:SECTION_LIMIT]
    index = NewsIndexPage.objects.live().public().first()
    return {"neighbourhood": neighbourhood, "items": [item_of(p) for p in pages], "index": index}


def appeals_for_staff(user: RequestUser) -> QuerySet[AppealPage]:
    """The appeals a staff user may update: force-wide roles all; division staff those about their division
    (named, or one of its neighbourhoods)."""
    scope = scope_for(user)
    appeals = AppealPage.objects.order_by("-first_published_at", "-pk")
    if scope.force_wide:
        return appeals
    return appeals.filter(
        Q(divisions__in=scope.division_ids) | Q(neighbourhoods__division__in=scope.division_ids)
    ).distinct()


def appeal_in_scope(user: RequestUser, appeal: AppealPage) -> bool:
    """An appeal no division claims (force-wide) is for force-wide staff only."""
    return appeals_for_staff(user).filter(pk=appeal.pk).exists()
