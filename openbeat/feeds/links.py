"""The feeds of a scope as links: for the feeds page, and for pages' <link rel="alternate"> (feed discovery)."""

from __future__ import annotations

from dataclasses import dataclass

from openbeat.feeds.documents import CONTENT_TYPES, feed_path, feed_title
from openbeat.feeds.selectors import KINDS, Kind, Scope

LABELS = {"news": "News", "appeals": "Appeals", "alerts": "Alerts", "everything": "News, appeals and alerts"}


@dataclass(frozen=True)
class FeedLink:
    kind: Kind
    label: str
    title: str
    rss: str
    atom: str

    @property
    def alternates(self) -> list[tuple[str, str, str]]:
        """(type, title, href) of the RSS and Atom versions."""
        return [
            (CONTENT_TYPES["rss"].split(";")[0], f"{self.title} (RSS)", self.rss),
            (CONTENT_TYPES["atom"].split(";")[0], f"{self.title} (Atom)", self.atom),
        ]


def feed_links(force_name: str, scope: Scope, kinds: tuple[Kind, ...] = KINDS) -> list[FeedLink]:
    return [
        FeedLink(
            kind=kind,
            label=LABELS[kind],
            title=feed_title(force_name, kind, scope),
            rss=feed_path(kind, "rss", scope),
            atom=feed_path(kind, "atom", scope),
        )
        for kind in kinds
    ]
