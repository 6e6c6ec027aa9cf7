"""X (Twitter) classic per-tweet export: all fields quoted, `time` like `2021-04-30 09:32 +0000`, `-` in
promoted columns. The account is the handle in each tweet's permalink unless one is given."""

from __future__ import annotations

import re

from openbeat.insights.importers.base import Parsed
from openbeat.insights.importers.native import Spec, parse_native

_HANDLE = re.compile(r"https?://(?:www\.)?(?:twitter|x)\.com/([A-Za-z0-9_]+)/status")

# The counts classic and daily X exports share (column -> metric).
X_FLOWS = [
    ("impressions", "impressions"),
    ("engagements", "engagements"),
    ("retweets", "shares"),
    ("replies", "comments"),
    ("url clicks", "link_clicks"),
]


def handle_from_permalink(permalink: str) -> str:
    match = _HANDLE.match(permalink.strip())
    return f"@{match[1]}" if match else ""


SPEC = Spec(
    name="X per-tweet",
    platform="x",
    date_column="time",
    account_column="tweet permalink",
    account_from=handle_from_permalink,
    flows=X_FLOWS,
    count_rows_as="posts",
    date_formats=["%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
)


def parse(text: str, *, account: str = "") -> Parsed:
    return parse_native(text, SPEC, account=account)
