"""Reports made through a campaign link (/report/<type>/?campaign=<slug>) are counted for the campaign, without
anything added to the report itself; other links make no draft and count nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from openbeat.campaigns.models import CampaignReport
from openbeat.campaigns.tests.conftest import make_campaign
from openbeat.reports.models import Question, Report, ReportDraft, ReportType
from openbeat.reports.tests.factories import QuestionFactory, ReportTypeFactory

pytestmark = pytest.mark.django_db

BASE = "/report/grooming/"


@pytest.fixture
def report_type() -> ReportType:
    report_type = ReportTypeFactory(slug="grooming", name="Report concerns about a child", location="none")
    QuestionFactory(report_type=report_type, key="what", label="What happened?", kind=Question.Kind.TEXT, page=1)
    return report_type


def send_report(client: Client) -> None:
    assert client.post(BASE + "questions/1/", {"what": "A man offering lifts"})["Location"] == BASE + "about-you/"
    response = client.post(BASE + "about-you/", {"name": "Ann Smith", "email": "ann@example.com", "phone": ""})
    assert response["Location"] == BASE + "check-your-answers/"
    assert client.post(BASE + "check-your-answers/")["Location"] == BASE + "sent/"


def test_a_report_begun_from_a_campaign_link_is_counted_for_it(report_type, west):
    campaign = make_campaign(west)
    client = Client()
    assert client.get(BASE + "?campaign=cse-week").status_code == 200
    send_report(client)
    report = Report.objects.get()
    made = CampaignReport.objects.get()
    assert made.campaign == campaign
    assert made.report == report
    assert made.made_at == report.created_at
    assert "campaign" not in report.answers


def test_a_report_without_a_campaign_link_is_not_counted(report_type, west):
    make_campaign(west)
    client = Client()
    client.get(BASE)
    send_report(client)
    assert Report.objects.count() == 1
    assert not CampaignReport.objects.exists()


def test_a_made_up_campaign_makes_no_draft(report_type):
    response = Client().get(BASE + "?campaign=no-such-campaign")
    assert response.status_code == 200
    assert not response.cookies
    assert not ReportDraft.objects.exists()
