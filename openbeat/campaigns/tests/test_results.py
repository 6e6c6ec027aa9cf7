"""A campaign's results per channel, against figures worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from openbeat.campaigns.models import CampaignReport, PageView
from openbeat.campaigns.results_chart import views_chart
from openbeat.campaigns.selectors import campaign_results
from openbeat.campaigns.tests.conftest import deliveries, make_alert, make_campaign
from openbeat.delivery.models import DeliverySettings
from openbeat.insights.models import Account, Metric, Observation
from openbeat.reports.tests.factories import ReportFactory, ReportTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(west, page):
    campaign = make_campaign(west)
    campaign.pages.set([page])
    return campaign


def test_page_views_are_those_of_its_pages_on_its_days(campaign, page):
    other = page.get_parent()
    PageView.objects.bulk_create(
        [
            PageView(page=page, day=date(2026, 3, 1), views=100),  # the day before: left out
            PageView(page=page, day=date(2026, 3, 2), views=7),
            PageView(page=page, day=date(2026, 3, 8), views=5),
            PageView(page=page, day=date(2026, 3, 9), views=100),  # the day after: left out
            PageView(page=other, day=date(2026, 3, 3), views=100),  # not one of its pages
        ]
    )
    results = campaign_results(campaign)
    assert results.page_views == 12
    assert results.views_by_day == [7, 0, 0, 0, 0, 0, 5]
    assert results.pages == [(page.title, page.url_path, 12)]


def test_alert_figures_are_its_alerts_deliveries(campaign, west):
    settings = DeliverySettings.load()
    settings.track_opens = True
    settings.save()
    first, second = make_alert(west), make_alert(west, title="Second")
    deliveries(first, delivered=10, failed=2, opened=6, clicked=3)
    deliveries(second, delivered=4, opened=1, clicked=1)
    deliveries(make_alert(west, title="Not in the campaign"), delivered=50, opened=50, clicked=50)
    campaign.alerts.set([first, second])
    results = campaign_results(campaign)
    assert [(a.title, a.sent, a.delivered, a.opened, a.clicked) for a in results.alerts] == [
        ("Spot the signs of exploitation", 12, 10, 6, 3),
        ("Second", 4, 4, 1, 1),
    ]
    assert results.alerts_sent == 16
    assert results.alerts_opened == 7
    assert results.alerts_clicked == 4


def test_opens_are_not_given_when_the_force_does_not_track_them(campaign, west):
    alert = make_alert(west)
    deliveries(alert, delivered=3, opened=2, clicked=1)
    campaign.alerts.set([alert])
    results = campaign_results(campaign)
    assert results.alerts_opened is None
    assert results.alerts[0].opened is None
    assert results.alerts_clicked == 1


def _observation(account, metric, granularity, day, value, dimension="hashtag:csweek"):
    return Observation.objects.create(
        account=account, metric=metric, granularity=granularity, period_start=day, value=value, dimension=dimension
    )


def test_social_figures_are_the_imports_for_its_hashtag(campaign):
    x = Account.objects.create(platform="x", name="@DemoPolice")
    facebook = Account.objects.create(platform="facebook", name="Demo Police")
    engagements, _ = Metric.objects.get_or_create(slug="engagements", defaults={"name": "Engagements"})
    day, month = Observation.Granularity.DAY, Observation.Granularity.MONTH
    _observation(x, engagements, day, date(2026, 3, 2), 40, "hashtag:cseweek")
    _observation(x, engagements, day, date(2026, 3, 5), 60, "hashtag:cseweek")
    _observation(x, engagements, day, date(2026, 3, 10), 999, "hashtag:cseweek")  # after the campaign
    _observation(x, engagements, month, date(2026, 3, 1), 999, "hashtag:cseweek")  # days already count it
    _observation(facebook, engagements, month, date(2026, 3, 1), 25, "hashtag:cseweek")
    _observation(facebook, engagements, month, date(2026, 3, 1), 999, "hashtag:other")
    _observation(facebook, engagements, month, date(2026, 3, 1), 999, "")
    results = campaign_results(campaign)
    assert results.social == [("Facebook", "engagements", 25.0), ("X (Twitter)", "engagements", 100.0)]
    assert results.social_engagements == 125.0


def test_a_campaign_without_a_hashtag_has_no_social_figures(west):
    assert campaign_results(make_campaign(west, hashtag="")).social == []


def test_reports_are_those_made_through_its_links_in_its_dates(campaign):
    report_type = ReportTypeFactory(name="Report child exploitation")
    inside = timezone.make_aware(datetime(2026, 3, 4, 12, 0))
    after = timezone.make_aware(datetime(2026, 3, 20, 12, 0))
    for made_at in [inside, inside, after]:
        report = ReportFactory(report_type=report_type, created_at=made_at, division=None)
        CampaignReport.objects.create(campaign=campaign, report=report, made_at=made_at)
    results = campaign_results(campaign)
    assert results.reports == [(report_type.name, 2)]
    assert results.reports_made == 2


def test_the_chart_has_a_bar_a_day(campaign, page):
    PageView.objects.create(page=page, day=date(2026, 3, 3), views=9)
    chart = views_chart(campaign_results(campaign))
    assert chart is not None
    assert chart.x[:2] == ["2 Mar", "3 Mar"]
    assert chart.series == [("Page views", [0.0, 9.0, 0.0, 0.0, 0.0, 0.0, 0.0])]


def test_a_campaign_without_pages_has_no_chart(west):
    assert views_chart(campaign_results(make_campaign(west))) is None
