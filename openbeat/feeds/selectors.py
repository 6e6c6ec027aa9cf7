"""What a feed lists: the latest public news stories, appeals and sent alerts of a scope, as plain items.

Scopes: the force (everything), a division (its own items, its neighbourhoods' items and force-wide ones), a
neighbourhood (its own, its division's and force-wide ones). News and appeals concern places through their
`divisions` and `neighbourhoods`; a page naming neither is force-wide and belongs in every feed. Alerts are where
the public archive says they were for (`alerts.selectors.alerts_covering`).

Only what the public pages show goes in: live, public pages (`news.selectors.published_news`) and the alerts of
the public archive (`alerts.selectors.published_alerts`), bodies rendered by the archive's one renderer. A
resolved missing-person or suspect appeal never carries an image, and once redacted (news.services.appeal_redact)
its row holds only the short resolved notice, which is all a feed built afterwards can show.

Reads are bounded, not per item: one query per source, then one each for the listed pages' tags, their appeal
updates and their images' renditions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils.text import Truncator
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.query import PageQuerySet

from openbeat.alerts import media
from openbeat.alerts.markdown import render_html, render_text
from openbeat.alerts.models import Alert, Priority
from openbeat.alerts.selectors import alerts_covering, published_alerts
from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.paths import absolute_url
from openbeat.news.models import AppealPage, NewsPage, NewsPageTag, Outcome
from openbeat.news.selectors import item_of, published_news

Kind = Literal["news", "appeals", "alerts", "everything"]
KINDS: tuple[Kind, ...] = ("news", "appeals", "alerts", "everything")
LIMIT = 50
SUMMARY_WORDS = 60
# The rendition the news pages show (news/_lead_image.html): already made once a page was viewed, and, unlike the
# original upload, written again without the camera's metadata.
IMAGE_SPEC = "width-960"
IMAGE_TYPES = {"jpeg": "image/jpeg", "jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}
# Wagtail's page ids are unique to this site only: tag URIs (RFC 4151) make them unique everywhere, and a fixed
# date keeps an item's id the same for ever, whatever its title, address or redaction.
TAG_DATE = "2026"


@dataclass(frozen=True)
class Scope:
    """Where a feed is for: the whole force, a division or a neighbourhood."""

    division: Division | None = None
    neighbourhood: Neighbourhood | None = None

    @property
    def name(self) -> str:
        if self.neighbourhood is not None:
            return self.neighbourhood.name
        if self.division is not None:
            name = self.division.name
            return name if name.lower().endswith("division") else f"{name} division"
        return ""


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str
    length: int


@dataclass(frozen=True)
class FeedItem:
    """One entry, the same for RSS and Atom."""

    guid: str
    title: str
    link: str
    summary: str
    published: datetime
    updated: datetime
    categories: tuple[str, ...] = ()
    content_html: str = ""
    enclosure: Enclosure | None = None
    kind: str = field(default="news")


def scope_for(*, division_code: str | None = None, neighbourhood_code: str | None = None) -> Scope | None:
    """The scope a feed's address names, or None when it names an area that does not exist."""
    if neighbourhood_code is not None:
        # A NUL would reach PostgreSQL, which refuses it in text (a 500): no code holds one.
        if "\x00" in neighbourhood_code:
            return None
        neighbourhood = Neighbourhood.objects.select_related("division").filter(code=neighbourhood_code).first()
        return Scope(neighbourhood=neighbourhood) if neighbourhood is not None else None
    if division_code is not None:
        if "\x00" in division_code:
            return None
        division = Division.objects.filter(code=division_code).first()
        return Scope(division=division) if division is not None else None
    return Scope()


# ------------------------------------------------------------------------------------------ news and appeals


def page_path(page: Page) -> str:
    """A page's path on its site (get_url() gives a full address when there are several sites)."""
    parts = page.get_url_parts()
    return str(parts[2]) if parts else "/"


def _in_scope(pages: PageQuerySet, scope: Scope) -> QuerySet[NewsPage]:
    """Pages about the scope, force-wide pages included (Exists: no join, so no duplicates to remove)."""
    if scope.division is None and scope.neighbourhood is None:
        return pages
    divisions = NewsPage.divisions.through.objects.filter(newspage_id=OuterRef("pk"))
    neighbourhoods = NewsPage.neighbourhoods.through.objects.filter(newspage_id=OuterRef("pk"))
    force_wide = ~Exists(divisions) & ~Exists(neighbourhoods)
    if scope.neighbourhood is not None:
        here = Exists(neighbourhoods.filter(neighbourhood_id=scope.neighbourhood.pk)) | Exists(
            divisions.filter(division_id=scope.neighbourhood.division_id)
        )
    else:
        assert scope.division is not None
        here = Exists(divisions.filter(division_id=scope.division.pk)) | Exists(
            neighbourhoods.filter(neighbourhood__division_id=scope.division.pk)
        )
    return pages.filter(Q(force_wide) | Q(here))


def _tags(ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    rows = (
        NewsPageTag.objects.filter(content_object_id__in=ids)
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name")
    )
    for page_id, name in rows:
        found[page_id].append(name)
    return found


def _last_updates(ids: list[int]) -> dict[int, datetime]:
    from openbeat.news.models import AppealUpdate

    rows = AppealUpdate.objects.filter(appeal_id__in=ids).values("appeal_id").annotate(last=Max("created_at"))
    return {row["appeal_id"]: row["last"] for row in rows}


def _safe_image(page: NewsPage) -> int | None:
    """The lead image a feed may carry: none for a missing or wanted person once the appeal is resolved (the
    page keeps it only until the removal is due, and copies in feed readers would outlive it)."""
    if not page.lead_image_id:
        return None
    if isinstance(page, AppealPage) and page.is_personal and (page.outcome or page.redacted_at):
        return None
    return page.lead_image_id


def _enclosures(pages: list[NewsPage]) -> dict[int, Enclosure]:
    ids = {image for page in pages if (image := _safe_image(page)) is not None}
    if not ids:
        return {}
    found: dict[int, Enclosure] = {}
    for image in get_image_model().objects.filter(pk__in=ids).prefetch_renditions(IMAGE_SPEC):
        rendition = image.get_rendition(IMAGE_SPEC)
        extension = rendition.file.name.rsplit(".", 1)[-1].lower()
        # The length is not known without reading the file's storage; RSS readers take 0 as "unknown".
        found[image.pk] = Enclosure(absolute_url(rendition.url), IMAGE_TYPES.get(extension, "image/jpeg"), 0)
    return found


def _page_item(
    page: NewsPage, *, tags: list[str], last_update: datetime | None, enclosures: dict[int, Enclosure], host: str
) -> FeedItem:
    published = page.first_published_at
    assert published is not None  # page_items reads only pages that were published
    moments = [published, page.last_published_at]
    categories: list[str] = []
    summary = page.summary
    if isinstance(page, AppealPage):
        moments += [page.outcome_at, page.redacted_at, last_update]
        categories.append("Appeal")
        if page.outcome:
            outcome = Outcome(page.outcome).label
            categories.append(f"Resolved: {outcome}")
            summary = f"Resolved: {outcome.lower()}. {page.outcome_note} {summary}".replace("  ", " ")
        else:
            categories.append("Updated" if last_update else "Open")
    else:
        categories.append("News")
    image = _safe_image(page)
    return FeedItem(
        guid=f"tag:{host},{TAG_DATE}:news-page-{page.pk}",
        title=page.title,
        link=absolute_url(page_path(page)),
        summary=summary.strip(),
        published=published,
        updated=max(m for m in moments if m is not None),
        categories=(*categories, *tags),
        enclosure=enclosures.get(image) if image is not None else None,
        kind="appeals" if isinstance(page, AppealPage) else "news",
    )


def page_items(*, kind: Kind, scope: Scope, host: str, limit: int = LIMIT) -> list[FeedItem]:
    """The latest live news stories ("news"), appeals ("appeals") or both ("everything") of a scope."""
    pages = published_news().filter(first_published_at__isnull=False)
    if kind == "news":
        pages = pages.filter(appealpage__isnull=True)
    elif kind == "appeals":
        pages = pages.filter(appealpage__isnull=False)
    listed = [item_of(page) for page in _in_scope(pages, scope)[:limit]]
    ids = [page.pk for page in listed]
    tags = _tags(ids)
    updates = _last_updates([page.pk for page in listed if isinstance(page, AppealPage)])
    enclosures = _enclosures(listed)
    return [
        _page_item(page, tags=tags[page.pk], last_update=updates.get(page.pk), enclosures=enclosures, host=host)
        for page in listed
    ]


# --------------------------------------------------------------------------------------------------- alerts


def _alert_item(alert: Alert) -> FeedItem:
    published = alert.published_at  # type: ignore[attr-defined]
    categories = [alert.interest.name]
    if alert.priority >= Priority.URGENT:
        categories.insert(0, alert.get_priority_display())
    enclosure = None
    if alert.image_path:
        extension = media.image_ext(alert)
        enclosure = Enclosure(absolute_url(media.image_url(alert)), media.IMAGE_TYPES.get(extension, "image/jpeg"), 0)
    return FeedItem(
        guid=f"urn:uuid:{alert.public_id}",
        title=alert.title,
        link=absolute_url(alert.get_absolute_url()),
        summary=Truncator(" ".join(render_text(alert.body).split())).words(SUMMARY_WORDS),
        published=published,
        updated=published,
        categories=tuple(categories),
        content_html=str(render_html(alert.body)),
        enclosure=enclosure,
        kind="alerts",
    )


def alert_items(*, scope: Scope, limit: int = LIMIT) -> list[FeedItem]:
    """The latest alerts of the public archive, where they were for (the archive's own filter)."""
    alerts = alerts_covering(published_alerts(), division=scope.division, neighbourhood=scope.neighbourhood)
    return [_alert_item(alert) for alert in alerts[:limit]]


def feed_items(*, kind: Kind, scope: Scope, host: str, limit: int = LIMIT) -> list[FeedItem]:
    """A feed's items, newest first: one kind, or all three merged by when they were published."""
    items: list[FeedItem] = []
    if kind != "alerts":
        items += page_items(kind=kind, scope=scope, host=host, limit=limit)
    if kind in ("alerts", "everything"):
        items += alert_items(scope=scope, limit=limit)
    items.sort(key=lambda item: item.published, reverse=True)
    return items[:limit]
