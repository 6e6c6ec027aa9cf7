"""Importers, one module per file format; `parse(format, text, account=...)` dispatches to them."""

from __future__ import annotations

from openbeat.insights.importers import (
    canonical,
    facebook_legacy,
    ga4,
    instagram_posts,
    meta_posts,
    x_content_2024,
    x_daily,
    x_tweets,
)
from openbeat.insights.importers.base import Parsed

_PARSERS = {
    "canonical": canonical.parse,
    "meta_posts": meta_posts.parse,
    "instagram_posts": instagram_posts.parse,
    "facebook_legacy": facebook_legacy.parse,
    "x_tweets": x_tweets.parse,
    "x_daily": x_daily.parse,
    "x_content_2024": x_content_2024.parse,
    "ga4": ga4.parse,
}

# The platform each native export belongs to (the canonical CSV names its own, row by row).
PLATFORM_OF = {
    "meta_posts": "facebook",
    "instagram_posts": "instagram",
    "facebook_legacy": "facebook",
    "x_tweets": "x",
    "x_daily": "x",
    "x_content_2024": "x",
    "ga4": "website",
}


def parse(format: str, text: str, *, account: str = "") -> Parsed:
    """What a decoded file says, as observation rows and "line N" errors. `account`: the file's account."""
    return _PARSERS[format](text, account=account)
