"""X account analytics content export (2024 on): one row per post, `Date` like `"Tue, Jul 14, 2026"`."""

from __future__ import annotations

from openbeat.areas.importers.report import ImportFileError
from openbeat.insights.importers.base import Parsed
from openbeat.insights.importers.native import Spec, parse_native

SPEC = Spec(
    name="X content (2024 on)",
    platform="x",
    date_column="date",
    flows=[
        ("impressions", "impressions"),
        ("engagements", "engagements"),
        ("reposts", "shares"),
        ("replies", "comments"),
        ("url clicks", "link_clicks"),
    ],
    count_rows_as="posts",
    date_formats=["%a, %b %d, %Y", "%b %d, %Y", "%Y-%m-%d"],
)


def parse(text: str, *, account: str = "") -> Parsed:
    if not account:
        raise ImportFileError("an X content export does not say whose it is: choose the account it is for")
    return parse_native(text, SPEC, account=account)
