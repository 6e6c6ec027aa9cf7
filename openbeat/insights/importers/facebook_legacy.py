"""The legacy Facebook Page "Insights Data Export": one row per day, and a second row describing each column."""

from __future__ import annotations

from openbeat.insights.importers.base import Parsed
from openbeat.insights.importers.native import Spec, parse_native

SPEC = Spec(
    name="Facebook Page Insights (legacy)",
    platform="facebook",
    date_column="date",
    stocks=[("lifetime total likes", "followers")],
    flows=[("daily total impressions", "impressions"), ("daily total video views", "video_views")],
    unique=["daily page engaged users", "daily total reach", "daily organic reach", "daily paid reach"],
    per_day=True,
)


def parse(text: str, *, account: str = "") -> Parsed:
    return parse_native(text, SPEC, account=account, skip_description_row=True)
