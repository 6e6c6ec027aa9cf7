"""Meta Business Suite per-post CSV (Facebook): UTF-8 with a BOM, `Publish time` as `MM/DD/YYYY HH:MM`."""

from __future__ import annotations

from openbeat.insights.importers.base import Parsed
from openbeat.insights.importers.native import Spec, parse_native

SPEC = Spec(
    name="Meta Business Suite per-post",
    platform="facebook",
    date_column="publish time",
    account_column="page name",
    # Meta renamed impressions "Views" in 2025.
    flows=[
        ("views", "impressions"),
        ("reactions, comments and shares", "engagements"),
        ("comments", "comments"),
        ("shares", "shares"),
        ("link clicks", "link_clicks"),
    ],
    unique=["reach"],
    count_rows_as="posts",
    date_formats=["%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
)


def parse(text: str, *, account: str = "") -> Parsed:
    return parse_native(text, SPEC, account=account)
