"""The back office's campaign list and a campaign's results in Debian's chromium: a division lead signs in with
the keyboard, axe finds 0 violations on both pages, and the results tables are reached with Tab alone.

(This directory's conftest names a Wagtail page `page`: the browser tab here is `tab`, opened from the context.)
"""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from openbeat.campaigns.models import PageView
from openbeat.campaigns.tests.conftest import deliveries, make_alert, make_campaign
from openbeat.core.models import ContentPage
from openbeat.core.services import site_pages_ensure
from openbeat.staff.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(context):
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.console_errors = errors  # type: ignore[attr-defined]
    return tab


@pytest.fixture
def campaign(world):
    site_pages_ensure()
    campaign = make_campaign(world.west)
    content = ContentPage.objects.live().order_by("path").first()
    PageView.objects.create(page=content, day=date(2026, 3, 3), views=1234)
    campaign.pages.set([content])
    alert = make_alert(world.west)
    deliveries(alert, delivered=5, clicked=2)
    campaign.alerts.set([alert])
    return campaign


def test_a_lead_reads_the_campaign_list_and_results(live_server, tab, world, campaign, assert_accessible):
    sign_in(tab, live_server, "lead-west")

    tab.goto(f"{live_server.url}/admin/campaigns/")
    expect(tab.get_by_role("link", name=campaign.name)).to_be_visible()
    assert_accessible(tab, "campaign list")

    # From the list to the campaign with the keyboard.
    link = tab.get_by_role("link", name=campaign.name)
    for _ in range(80):
        tab.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    expect(link).to_be_focused()
    tab.keyboard.press("Enter")
    expect(tab).to_have_url(f"{live_server.url}/admin/campaigns/{campaign.pk}/")
    expect(tab.get_by_role("table", name="Results per channel")).to_be_visible()
    assert_accessible(tab, "campaign results")

    # Each results table is reachable with Tab (a focusable region when it has no link of its own).
    for name in ("summary", "pages", "alerts", "events", "social", "reports"):
        table = tab.locator(f"[data-results='{name}']")
        reached = False
        for _ in range(80):
            tab.keyboard.press("Tab")
            if table.evaluate("t => t.contains(document.activeElement) || t.parentElement === document.activeElement"):
                reached = True
                break
        assert reached, f"Tab never reached the {name} table"
    alert_link = tab.locator("[data-results='alerts'] a").first
    alert_link.focus()
    expect(alert_link).to_be_focused()
    assert [e for e in tab.console_errors if "Content Security Policy" in e] == []
