"""The demo's campaign: a week of action against child sexual exploitation, last week, for the whole force.

It groups the demo's sent alerts and a few of its published events, the site's pages (and the news pages, when
the news step has made some), with a week of page views (deterministic: its own seed). Idempotent: the campaign
is found by its short name among the demo's rows; page views are added only for days that have none.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone
from wagtail.models import Page

from openbeat.alerts.models import Alert
from openbeat.campaigns.models import Campaign, PageView
from openbeat.demo.registry import demo_tag, demo_tagged
from openbeat.events.models import Event

SEED = "openbeat-demo-campaign"
SLUG = "cse-week-of-action"


def step_campaigns(ctx: Any) -> str:
    today = timezone.localdate()
    starts_on = today - dt.timedelta(days=10)
    campaign = demo_tagged(Campaign.objects.filter(slug=SLUG)).first()
    if campaign is None:
        if Campaign.objects.filter(slug=SLUG).exists():
            return f"skipped: a campaign '{SLUG}' the demo did not make exists"
        campaign = Campaign.objects.create(
            name="Week of action against child sexual exploitation",
            slug=SLUG,
            hashtag="LookCloser",
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=6),
            aims="Help parents, carers, businesses and young people spot the signs of exploitation and report "
            "them; reach every neighbourhood through In the Know, events and the website.",
            division=None,
        )
        demo_tag(objs=[campaign])
        alerts = demo_tagged(Alert.objects.filter(state=Alert.State.SENT)).order_by("-sent_at")[:3]
        events = demo_tagged(Event.objects.filter(state=Event.State.PUBLISHED)).order_by("starts_at")[:3]
        campaign.alerts.set(list(alerts))
        campaign.events.set(list(events))
        campaign.pages.set(list(Page.objects.live().filter(depth__gt=2).order_by("path")[:4]))
    rng = random.Random(SEED)
    have = set(PageView.objects.filter(page__in=campaign.pages.all()).values_list("page_id", "day"))
    made = []
    for page in campaign.pages.order_by("path"):
        for n in range((campaign.ends_on - campaign.starts_on).days + 1):
            day = campaign.starts_on + dt.timedelta(days=n)
            views = rng.randint(40, 400) * (3 if n == 0 else 1)  # the launch day is the busiest
            if (page.pk, day) not in have:
                made.append(PageView(page=page, day=day, views=views))
    demo_tag(objs=PageView.objects.bulk_create(made))
    return (
        f"campaign '{campaign.name}': {campaign.alerts.count()} alerts, {campaign.events.count()} events, "
        f"{campaign.pages.count()} pages, {len(made)} days of page views added"
    )
