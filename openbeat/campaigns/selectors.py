"""Reads of campaigns: the back office's (scoped) and their results per channel.

Results cover a window: the campaign's dates, or their overlap with a board report's months. Every channel is
one or two aggregate queries over the campaign's own rows, whatever the number of pages, alerts or reports:
- page views: `PageView` rows of its pages on the window's days (OpenBeat's own count, pageviews.py);
- alerts: its alerts' deliveries (sent, delivered, opened, clicked), as the alert's own statistics count them;
  opens only when the force tracks them (delivery settings), as there;
- social: figures from the insights imports whose dimension is the campaign's hashtag (`hashtag:<tag>`, any
  case), per platform and measure: day figures inside the window, else month figures for months it touches;
- reports: Do It Online reports made through a campaign link in the window, per report type.
Only counts: nothing about a person is read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import dateformat, timezone

from openbeat.campaigns.models import Campaign, CampaignReport, PageView
from openbeat.core.users import RequestUser
from openbeat.staff.scope import scope_for


def campaigns_for(user: RequestUser) -> QuerySet[Campaign]:
    """Campaigns a staff user may see: their division's (force-wide staff: all, force-wide ones included)."""
    if user is None or not user.is_authenticated or not user.has_perm("campaigns.view_campaign"):
        return Campaign.objects.none()
    queryset = Campaign.objects.select_related("division")
    scope = scope_for(user)
    if scope.force_wide:
        return queryset
    return queryset.filter(division__in=scope.division_ids)


def campaign_by_slug(slug: str) -> Campaign | None:
    return Campaign.objects.filter(slug=slug).first()


@dataclass(frozen=True)
class AlertRow:
    alert_id: int
    title: str
    sent: int
    delivered: int
    opened: int | None  # None: the force does not track opens
    clicked: int


@dataclass
class Results:
    since: date
    until: date  # inclusive
    days: list[date]
    views_by_day: list[int]
    pages: list[tuple[str, str, int]]  # (title, url path, views)
    alerts: list[AlertRow]
    track_opens: bool
    social: list[tuple[str, str, float]]  # (platform, measure, value)
    reports: list[tuple[str, int]]  # (report type, reports)
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (title, when, state)

    @property
    def page_views(self) -> int:
        return sum(self.views_by_day)

    @property
    def alerts_sent(self) -> int:
        return sum(a.sent for a in self.alerts)

    @property
    def alerts_opened(self) -> int | None:
        return sum(a.opened or 0 for a in self.alerts) if self.track_opens else None

    @property
    def alerts_clicked(self) -> int:
        return sum(a.clicked for a in self.alerts)

    @property
    def reports_made(self) -> int:
        return sum(n for _, n in self.reports)

    @property
    def social_engagements(self) -> float | None:
        values = [v for _, measure, v in self.social if measure == "engagements"]
        return sum(values) if values else None


def _window(campaign: Campaign, since: date | None, until: date | None) -> tuple[date, date]:
    first = max(campaign.starts_on, since) if since else campaign.starts_on
    last = min(campaign.ends_on, until) if until else campaign.ends_on
    return first, last


def _page_views(campaign: Campaign, since: date, until: date) -> tuple[list[date], list[int], list[tuple]]:
    days = [since + timedelta(days=n) for n in range((until - since).days + 1)] if since <= until else []
    rows = PageView.objects.filter(page__in=campaign.pages.all(), day__gte=since, day__lte=until)
    per_day = dict(rows.values_list("day").annotate(n=Sum("views")).order_by())
    per_page = dict(rows.values_list("page").annotate(n=Sum("views")).order_by())
    pages = [
        (page.title, page.url_path, per_page.get(page.pk, 0))
        for page in campaign.pages.order_by("path").only("pk", "title", "url_path")
    ]
    pages.sort(key=lambda row: -row[2])
    return days, [per_day.get(d, 0) for d in days], pages


def _alerts(campaign: Campaign, window: tuple[date, date] | None) -> tuple[list[AlertRow], bool]:
    from openbeat.delivery.models import Delivery, DeliverySettings
    from openbeat.delivery.selectors import SENT_STATES

    track_opens = DeliverySettings.load().track_opens
    chosen = campaign.alerts.annotate(went=Coalesce("sent_at", "sending_at"))
    if window is not None:
        # Part of the campaign's dates (a month of the board report): the alerts that went out in it, so that a
        # campaign across two months counts each alert in one month's report.
        chosen = chosen.filter(went__date__gte=window[0], went__date__lte=window[1])
    alerts = list(chosen.order_by("pk").values_list("pk", "title"))
    figures = {
        row["alert_id"]: row
        for row in Delivery.objects.filter(alert_id__in=[pk for pk, _ in alerts])
        .values("alert_id")
        .annotate(
            sent=Count("pk", filter=Q(state__in=SENT_STATES)),
            delivered=Count("pk", filter=Q(state=Delivery.State.DELIVERED)),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            clicked=Count("pk", filter=Q(clicked_at__isnull=False)),
        )
        .order_by()
    }
    rows = []
    for pk, title in alerts:
        f: Mapping[str, Any] = figures.get(pk, {})
        rows.append(
            AlertRow(
                alert_id=pk,
                title=title,
                sent=f.get("sent", 0),
                delivered=f.get("delivered", 0),
                opened=f.get("opened", 0) if track_opens else None,
                clicked=f.get("clicked", 0),
            )
        )
    return rows, track_opens


def hashtag_dimension(hashtag: str) -> str:
    return "hashtag:" + hashtag.strip().lstrip("#").lower()


def _social(campaign: Campaign, since: date, until: date) -> list[tuple[str, str, float]]:
    from openbeat.insights.models import Account, Observation

    if not campaign.hashtag.strip() or since > until:
        return []
    base = Observation.objects.filter(dimension__iexact=hashtag_dimension(campaign.hashtag))
    days = (
        base.filter(granularity=Observation.Granularity.DAY, period_start__gte=since, period_start__lte=until)
        .values_list("account__platform", "metric__slug")
        .annotate(v=Sum("value"))
        .order_by()
    )
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for platform, metric, value in days:
        totals[(platform, metric)] += value
    months = (
        base.filter(
            granularity=Observation.Granularity.MONTH,
            period_start__gte=since.replace(day=1),
            period_start__lte=until,
        )
        .values_list("account__platform", "metric__slug")
        .annotate(v=Sum("value"))
        .order_by()
    )
    for platform, metric, value in months:
        # A month figure for what day figures already count would count it twice.
        if (platform, metric) not in totals:
            totals[(platform, metric)] += value
    labels = dict(Account.Platform.choices)
    return [(labels.get(p, p), m, v) for (p, m), v in sorted(totals.items())]


def _reports(campaign: Campaign, since: date, until: date) -> list[tuple[str, int]]:
    rows = (
        CampaignReport.objects.filter(campaign=campaign, made_at__date__gte=since, made_at__date__lte=until)
        .values_list("report__report_type__name")
        .annotate(n=Count("pk"))
        .order_by("report__report_type__name")
    )
    return [(name, n) for name, n in rows]


def _events(campaign: Campaign) -> list[tuple[str, str, str]]:
    return [
        (event.title, dateformat.format(timezone.localtime(event.starts_at), "j M Y H:i"), event.get_state_display())
        for event in campaign.events.order_by("starts_at")
    ]


def campaign_results(campaign: Campaign, *, since: date | None = None, until: date | None = None) -> Results:
    """The campaign's results per channel over its dates (or their overlap with since..until, inclusive)."""
    first, last = _window(campaign, since, until)
    days, views, pages = _page_views(campaign, first, last)
    narrowed = (first, last) if (first, last) != (campaign.starts_on, campaign.ends_on) else None
    alerts, track_opens = _alerts(campaign, narrowed)
    return Results(
        since=first,
        until=last,
        days=days,
        views_by_day=views,
        pages=pages,
        alerts=alerts,
        track_opens=track_opens,
        social=_social(campaign, first, last),
        reports=_reports(campaign, first, last) if first <= last else [],
        events=_events(campaign),
    )
