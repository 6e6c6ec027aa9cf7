"""The board report's "Campaigns" section: each campaign's results in the report's months."""

from __future__ import annotations

from datetime import date

import pytest

from openbeat.campaigns.board import campaigns_section
from openbeat.campaigns.models import PageView
from openbeat.campaigns.tests.conftest import deliveries, make_alert, make_campaign
from openbeat.insights.build import report_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(west, page):
    # 30 March to 5 April: across two months.
    campaign = make_campaign(west, starts_on=date(2026, 3, 30), ends_on=date(2026, 4, 5))
    campaign.pages.set([page])
    PageView.objects.create(page=page, day=date(2026, 3, 31), views=40)
    PageView.objects.create(page=page, day=date(2026, 4, 2), views=60)
    alert = make_alert(west)  # sent 3 March: outside both months' parts of the campaign
    deliveries(alert, delivered=3, clicked=1)
    campaign.alerts.set([alert])
    return campaign


def section_of(report):
    return next(s for s in report.sections if s.key == "campaigns")


def test_the_board_report_has_a_campaigns_section_before_the_warnings(campaign):
    report = report_build(period_from="2026-04", period_to="2026-04")
    keys = [s.key for s in report.sections]
    assert keys.index("campaigns") == keys.index("warnings") - 1
    table = section_of(report).tables[0]
    assert table.rows == [["Week of action against child sexual exploitation (#CSEweek)", "30 Mar 2026 to 5 Apr 2026",
                           60, 0, None, 0, None, 0]]  # fmt: skip


def test_a_campaign_across_two_months_counts_each_day_once(campaign):
    march = campaigns_section(first_month="2026-03", last_month="2026-03")
    both = campaigns_section(first_month="2026-03", last_month="2026-04")
    assert march is not None
    assert both is not None
    assert march["tables"][0]["rows"][0][2] == 40
    assert both["tables"][0]["rows"][0][2] == 100


def test_a_divisions_report_shows_its_own_campaigns(campaign, east):
    make_campaign(east, slug="east-week", name="East week", starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 2))
    section = campaigns_section(first_month="2026-04", last_month="2026-04", division_code="east")
    assert section is not None
    assert [row[0] for row in section["tables"][0]["rows"]] == ["East week (#CSEweek)"]


def test_a_period_without_campaigns_says_so():
    section = campaigns_section(first_month="2025-01", last_month="2025-01")
    assert section is not None
    assert section["tables"][0]["rows"] == []
    assert section["tables"][0]["notes"] == ["No campaign ran in the period."]


def test_two_campaigns_have_a_total_row(campaign, west, page):
    other = make_campaign(west, slug="two", name="Two", starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 3))
    other.pages.set([page])
    section = campaigns_section(first_month="2026-04", last_month="2026-04")
    assert section is not None
    assert section["tables"][0]["totals"] == ["Total", "", 120, 0, None, 0, None, 0]
