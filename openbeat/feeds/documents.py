"""RSS 2.0 and Atom documents of a feed's items (feedgen), and the copy of each kept in the shared cache.

A document depends only on the rows it lists: its dates are the items' own (the feed's `updated` and RSS
`lastBuildDate` are the newest item's), so the same content gives the same bytes in every process and the
ETag, a digest of the bytes, is the same whichever process answers.

Kept copies: in the shared cache (django.core.cache), under the public page cache's generation
(core.pagecache.generation), which moves on every write to a public model, appeal redaction included
(news.services calls public_content_changed()). A feed built before an edit is never found again after it: an
edit or a redaction shows in the next request. An unknown area is kept too (as None), so that a feed's answer,
found or not, is one cache read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from feedgen.feed import FeedGenerator
from lxml import etree

from openbeat.core.models import Force
from openbeat.core.pagecache import generation
from openbeat.core.paths import absolute_url
from openbeat.feeds.selectors import FeedItem, Kind, Scope, feed_items, page_path, scope_for
from openbeat.news.models import NewsIndexPage

Format = Literal["rss", "atom"]
FORMATS: tuple[Format, ...] = ("rss", "atom")
CONTENT_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml; charset=utf-8"}
# Old generations' copies are never read again; this only bounds how long they take room.
KEEP_SECONDS = 15 * 60
ATOM_NS = "http://www.w3.org/2005/Atom"
TITLES = {
    "news": "news",
    "appeals": "appeals",
    "alerts": "In the Know alerts",
    "everything": "news, appeals and alerts",
}


@dataclass(frozen=True)
class Document:
    body: bytes
    etag: str
    last_modified: datetime


def host() -> str:
    """The site's host name, from BASE_URL (what every absolute address in a feed is built on)."""
    return urlsplit(settings.BASE_URL).hostname or "localhost"


def feed_path(kind: Kind, fmt: Format, scope: Scope) -> str:
    """The feed's own address (its path)."""
    if scope.neighbourhood is not None:
        return reverse("feeds:neighbourhood", kwargs={"code": scope.neighbourhood.code, "kind": kind, "fmt": fmt})
    if scope.division is not None:
        return reverse("feeds:division", kwargs={"code": scope.division.code, "kind": kind, "fmt": fmt})
    return reverse("feeds:force", kwargs={"kind": kind, "fmt": fmt})


def _html_page(kind: Kind, scope: Scope, news_index: str) -> str:
    """The web page a feed mirrors: the neighbourhood's page, or the alerts archive or the news index filtered
    to the area (both lists take a division's or a neighbourhood's code), or the feeds page for everything."""
    if scope.neighbourhood is not None and kind == "everything":
        return scope.neighbourhood.get_absolute_url()
    query: dict[str, str] = {}
    if scope.neighbourhood is not None:
        query["neighbourhood"] = scope.neighbourhood.code
    elif scope.division is not None:
        query["division"] = scope.division.code
    if kind == "alerts":
        page = reverse("alerts:archive")
    elif kind == "everything" or not news_index:
        page = reverse("feeds:index")
    else:
        page = news_index
        if kind in ("news", "appeals"):
            query["kind"] = kind
    return page + (f"?{urlencode(query)}" if query else "")


def feed_title(force_name: str, kind: Kind, scope: Scope) -> str:
    title = f"{force_name}: {TITLES[kind]}"
    return f"{title} in {scope.name}" if scope.name else title


def _entry(generator: FeedGenerator, item: FeedItem) -> None:
    entry = generator.add_entry(order="append")
    entry.id(item.guid)
    entry.guid(item.guid, permalink=False)
    entry.title(item.title)
    entry.link(href=item.link, rel="alternate", type="text/html")  # for Atom, see _atom_links
    if item.content_html:
        entry.content(item.content_html, type="html")
    entry.summary(item.summary)
    entry.published(item.published)
    entry.updated(item.updated)
    for category in item.categories:
        entry.category(term=category)
    if item.enclosure is not None:
        entry.enclosure(item.enclosure.url, str(item.enclosure.length), item.enclosure.type)  # RSS only


def _atom_links(body: bytes, items: list[FeedItem]) -> bytes:
    """feedgen 1.0.0 writes an Atom entry's links without their rel and type (its loop reuses the name `link`),
    so an enclosure would read as a second alternate: the entries' links are written here instead."""
    root = etree.fromstring(body)
    for entry, item in zip(root.iterfind(f"{{{ATOM_NS}}}entry"), items, strict=True):
        for old in entry.findall(f"{{{ATOM_NS}}}link"):
            entry.remove(old)
        position = list(entry).index(entry.find(f"{{{ATOM_NS}}}updated")) + 1
        links = [{"rel": "alternate", "type": "text/html", "href": item.link}]
        if item.enclosure is not None:
            links.append(
                {
                    "rel": "enclosure",
                    "type": item.enclosure.type,
                    "href": item.enclosure.url,
                    "length": str(item.enclosure.length),
                }
            )
        for offset, attributes in enumerate(links):
            entry.insert(position + offset, etree.Element(f"{{{ATOM_NS}}}link", attributes))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def build(kind: Kind, fmt: Format, scope: Scope) -> Document:
    """The feed as RSS 2.0 or Atom, built from the database."""
    force = Force.current()
    items = feed_items(kind=kind, scope=scope, host=host())
    self_url = absolute_url(feed_path(kind, fmt, scope))
    title = feed_title(force.name, kind, scope)
    generator = FeedGenerator()
    generator.id(self_url)
    generator.title(title)
    generator.subtitle(f"The latest {TITLES[kind]} from {force.name}" + (f" for {scope.name}" if scope.name else ""))
    generator.author(name=force.name)
    generator.language("en-GB")
    generator.generator("OpenBeat")
    index = NewsIndexPage.objects.live().public().first()
    news_index = page_path(index) if index is not None else ""
    generator.link(href=self_url, rel="self", type=CONTENT_TYPES[fmt].split(";")[0])
    # Last: RSS's channel <link> is the last link given, and must be the web page.
    generator.link(href=absolute_url(_html_page(kind, scope, news_index)), rel="alternate", type="text/html")
    # An empty feed changes when something is published: until then, when it was first built (kept per generation).
    updated = max((item.updated for item in items), default=None) or timezone.now().replace(microsecond=0)
    generator.updated(updated)
    for item in items:
        _entry(generator, item)
    body = generator.rss_str() if fmt == "rss" else _atom_links(generator.atom_str(), items)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return Document(body=body, etag=etag, last_modified=updated)


def _key(kind: str, fmt: str, area: str) -> str:
    digest = hashlib.sha256(area.encode()).hexdigest()[:16]  # any code a URL carries, safe in every cache key
    return f"feeds:doc:1:{generation.current()}:{kind}:{fmt}:{digest}"


def document(
    kind: Kind, fmt: Format, *, division_code: str | None = None, neighbourhood_code: str | None = None
) -> Document | None:
    """The feed, from the shared cache when nothing public has changed since it was built; None for an area
    that does not exist."""
    area = f"n:{neighbourhood_code}" if neighbourhood_code is not None else f"d:{division_code or ''}"
    # The key is taken before building: a write during the build leaves this copy under the old generation.
    key = _key(kind, fmt, area)
    kept = cache.get(key)
    if kept is not None:
        found: Document | None = kept[0]
        return found
    scope = scope_for(division_code=division_code, neighbourhood_code=neighbourhood_code)
    built = build(kind, fmt, scope) if scope is not None else None
    cache.set(key, (built,), KEEP_SECONDS)  # a tuple: a kept "no such area" is not a miss
    return built
