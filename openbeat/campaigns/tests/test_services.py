"""Making and changing campaigns: who may, where, what they may group, and the audit log."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from openbeat.audit.models import AuditEntry
from openbeat.campaigns.services import CampaignPermissionError, campaign_create, campaign_update
from openbeat.campaigns.tests.conftest import make_alert

pytestmark = pytest.mark.django_db

DATES = {"starts_on": date(2026, 3, 2), "ends_on": date(2026, 3, 8)}


def test_a_division_lead_makes_a_campaign_for_their_division(world, page):
    alert = make_alert(world.west)
    campaign = campaign_create(
        author=world.lead, name="CSE week", slug="cse-week", hashtag="#CSEweek", division=world.west,
        pages=[page], alerts=[alert], **DATES,
    )  # fmt: skip
    assert campaign.hashtag == "CSEweek"
    assert list(campaign.pages.values_list("pk", flat=True)) == [page.pk]
    assert list(campaign.alerts.all()) == [alert]
    entry = AuditEntry.objects.get(action="campaigns.campaign.create")
    assert entry.actor == world.lead
    assert entry.data["alerts"] == [alert.pk]


def test_another_divisions_lead_cannot_make_one_here(world):
    with pytest.raises(CampaignPermissionError):
        campaign_create(author=world.other, name="X", slug="x", division=world.west, **DATES)


def test_only_force_wide_staff_make_force_wide_campaigns(world):
    with pytest.raises(CampaignPermissionError):
        campaign_create(author=world.lead, name="X", slug="x", division=None, **DATES)
    assert campaign_create(author=world.hq, name="X", slug="x", division=None, **DATES).division is None


def test_an_officer_may_not_make_campaigns(world):
    with pytest.raises(CampaignPermissionError):
        campaign_create(author=world.officer, name="X", slug="x", division=world.west, **DATES)


def test_alerts_of_another_division_cannot_be_grouped(world):
    with pytest.raises(ValidationError) as error:
        campaign_create(
            author=world.lead, name="X", slug="x", division=world.west, alerts=[make_alert(world.east)], **DATES
        )
    assert "alerts" in error.value.message_dict


def test_dates_and_short_names_are_checked(world):
    campaign_create(author=world.lead, name="X", slug="x", division=world.west, **DATES)
    with pytest.raises(ValidationError) as error:
        campaign_create(
            author=world.lead, name="Y", slug="x", division=world.west,
            starts_on=date(2026, 3, 8), ends_on=date(2026, 3, 1),
        )  # fmt: skip
    assert set(error.value.message_dict) == {"slug", "ends_on"}


def test_a_change_is_audited_with_what_changed(world, event_maker):
    campaign = campaign_create(author=world.lead, name="X", slug="x", division=world.west, **DATES)
    event = event_maker(division=world.west)
    campaign_update(
        campaign=campaign, editor=world.lead, name="X", slug="x", division=world.west, events=[event], **DATES
    )
    entry = AuditEntry.objects.get(action="campaigns.campaign.change")
    assert entry.data == {"events": [[], [event.pk]]}


def test_another_division_cannot_change_it(world):
    campaign = campaign_create(author=world.lead, name="X", slug="x", division=world.west, **DATES)
    with pytest.raises(CampaignPermissionError):
        campaign_update(campaign=campaign, editor=world.other, name="Y", slug="x", division=world.east, **DATES)
