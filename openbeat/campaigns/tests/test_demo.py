"""The demo's campaign: a week of action grouping demo alerts, events and pages, with page views; loading twice
makes nothing new and a reset takes it out."""

from __future__ import annotations

import pytest

from openbeat.campaigns.models import Campaign, PageView
from openbeat.campaigns.selectors import campaign_results
from openbeat.demo.campaigns import step_campaigns
from openbeat.demo.neighbourhood_life import step_neighbourhood_life
from openbeat.demo.steps import (
    demo_context,
    demo_reset,
    step_alerts,
    step_force,
    step_geography,
    step_staff,
    step_subscribers,
)

pytestmark = pytest.mark.django_db


def load(ctx) -> None:
    for step in (step_force, step_geography, step_staff, step_subscribers, step_alerts, step_neighbourhood_life):
        step(ctx)
    step_campaigns(ctx)


def test_the_demo_campaign_groups_alerts_events_and_pages_with_views():
    ctx = demo_context()
    load(ctx)
    campaign = Campaign.objects.get()
    results = campaign_results(campaign)
    assert campaign.alerts.exists()
    assert campaign.events.exists()
    assert campaign.pages.exists()
    assert results.page_views > 0
    assert len(results.alerts) == campaign.alerts.count()
    views = PageView.objects.count()
    step_campaigns(ctx)
    assert Campaign.objects.count() == 1
    assert PageView.objects.count() == views
    demo_reset()
    assert not Campaign.objects.exists()
    assert not PageView.objects.exists()
