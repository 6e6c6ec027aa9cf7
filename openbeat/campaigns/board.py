"""The board report's "Campaigns" section (registered with core.metric_sources.register_report_section).

One row per campaign that ran during the report's months (a division's report: that division's campaigns; the
force's: all), with its results over the part of its dates inside those months (selectors.campaign_results).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import dateformat

from openbeat.campaigns.models import Campaign
from openbeat.campaigns.selectors import campaign_results
from openbeat.core.months import month_ends_at, month_starts_at

COLUMNS = [
    "Campaign",
    "Dates",
    "Page views",
    "Alerts sent",
    "Alert opens",
    "Alert clicks",
    "Social engagements",
    "Reports via campaign links",
]
DAY = "j M Y"
FORMATS = ["text", "text", "int", "int", "int", "int", "int", "int"]


def _total(rows: list[list[Any]], column: int) -> float | None:
    values = [row[column] for row in rows if row[column] is not None]
    return sum(values) if values else None


def campaigns_section(*, first_month: str, last_month: str, division_code: str | None = None) -> dict[str, Any] | None:
    since = month_starts_at(first_month).date()
    until = month_ends_at(last_month).date() - timedelta(days=1)  # the last month's last day
    campaigns = Campaign.objects.filter(starts_on__lte=until, ends_on__gte=since).select_related("division")
    if division_code is not None:
        campaigns = campaigns.filter(division__code=division_code)
    rows: list[list[Any]] = []
    opens_tracked = True
    for campaign in campaigns.order_by("starts_on", "name"):
        results = campaign_results(campaign, since=since, until=until)
        opens_tracked = results.track_opens
        rows.append(
            [
                campaign.name + (f" (#{campaign.hashtag})" if campaign.hashtag else ""),
                f"{dateformat.format(campaign.starts_on, DAY)} to {dateformat.format(campaign.ends_on, DAY)}",
                results.page_views,
                results.alerts_sent,
                results.alerts_opened,
                results.alerts_clicked,
                results.social_engagements,
                results.reports_made,
            ]
        )
    notes = [
        "Figures for the part of each campaign inside the report's months. Page views are counted by OpenBeat "
        "itself, without cookies; social engagements come from the imported figures for the campaign's hashtag.",
    ]
    if not opens_tracked:
        notes.append("Alert opens are not tracked on this installation.")
    if not rows:
        notes = ["No campaign ran in the period."]
    totals = ["Total", "", *[_total(rows, column) for column in range(2, 8)]] if len(rows) > 1 else None
    return {
        "key": "campaigns",
        "title": "Campaigns",
        "paragraphs": [],
        "tables": [
            {"key": "campaigns", "title": "Campaign results", "columns": COLUMNS, "formats": FORMATS, "rows": rows,
             "totals": totals, "notes": notes}
        ],
    }  # fmt: skip
