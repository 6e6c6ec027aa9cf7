"""The composer's forecast: how many of an audience the delivery rules would hold back now (rules.decide's own
decisions: the daily cap, SMS quiet hours, the time of day they chose)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from openbeat.alerts import handoff
from openbeat.alerts.models import Priority
from openbeat.delivery.forecast import audience_forecast
from openbeat.delivery.models import Channel, Delivery, DeliverySettings
from openbeat.delivery.tests.pipeline_world import audience, sending_alert, subscribers

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=LONDON)
LATE = datetime(2026, 6, 10, 21, 30, tzinfo=LONDON)  # day time for email, SMS quiet hours (21:00-08:00)


def _had_today(subscriber, channel, count, *, at=NOON):
    """`count` non-urgent alerts delivered to them today before `at`."""
    for _ in range(count):
        alert = sending_alert(priority=Priority.NORMAL)
        Delivery.objects.create(
            alert=alert, subscriber=subscriber, channel=channel, state=Delivery.State.DELIVERED, sent_at=at
        )


def test_someone_who_had_the_daily_cap_today_counts_as_digest_by_email_and_not_sent_by_sms():
    cap = DeliverySettings.load().daily_cap
    full, one_left = subscribers(None, 2, sms=True, sms_min_priority=0)
    fresh = subscribers(None, 3, sms=True, sms_min_priority=0)
    _had_today(full, Channel.EMAIL, cap)
    _had_today(full, Channel.SMS, cap)
    _had_today(one_left, Channel.EMAIL, cap - 1)
    everyone = [full, one_left, *fresh]
    held = audience_forecast(audience=audience(email=everyone, sms=everyone), priority=Priority.NORMAL, now=NOON)
    assert held.email_at_cap == 1
    assert held.sms_at_cap == 1
    assert (held.email_held, held.sms_quiet_hours, held.sms_held) == (0, 0, 0)


def test_urgent_alerts_pass_the_cap():
    (full,) = subscribers(None, 1)
    _had_today(full, Channel.EMAIL, DeliverySettings.load().daily_cap)
    held = audience_forecast(audience=audience(email=[full]), priority=Priority.URGENT, now=NOON)
    assert held.email_at_cap == 0


def test_sms_quiet_hours_and_chosen_times_now():
    both = subscribers(None, 2, sms=True, sms_min_priority=0)
    day_only = subscribers(None, 1, sms=True, email_night=False)
    held = audience_forecast(audience=audience(email=both + day_only, sms=both), priority=Priority.NORMAL, now=LATE)
    assert held.sms_quiet_hours == 2
    assert held.email_held == 0  # 21:30 is still day (night starts at 22:00)
    night = datetime(2026, 6, 10, 23, 0, tzinfo=LONDON)
    held = audience_forecast(audience=audience(email=both + day_only), priority=Priority.NORMAL, now=night)
    assert held.email_held == 1


def test_the_forecast_is_what_the_composer_is_given():
    assert handoff.forecast_installed() is audience_forecast
