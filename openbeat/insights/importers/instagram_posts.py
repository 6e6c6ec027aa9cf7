"""Instagram per-post CSV (exported from Meta Business Suite). Engagements are likes, comments, shares and saves."""

from __future__ import annotations

from openbeat.insights.importers.base import Parsed
from openbeat.insights.importers.meta_posts import SPEC as META
from openbeat.insights.importers.native import Spec, parse_native


def _handle(username: str) -> str:
    username = username.strip()
    return f"@{username.lstrip('@')}" if username else ""


SPEC = Spec(
    name="Instagram per-post",
    platform="instagram",
    date_column="publish time",
    account_column="account username",
    account_from=_handle,
    flows=[
        ("views", "impressions"),
        ("likes", "engagements"),
        ("comments", "engagements"),
        ("shares", "engagements"),
        ("saves", "engagements"),
        ("comments", "comments"),
        ("shares", "shares"),
    ],
    unique=["reach"],
    count_rows_as="posts",
    date_formats=META.date_formats,
)


def parse(text: str, *, account: str = "") -> Parsed:
    return parse_native(text, SPEC, account=account)
