"""The In the Know notice: one alert through alerts' services, targeted where the event is, under approval rules."""

from __future__ import annotations

import pytest

from openbeat.alerts.models import Alert
from openbeat.alerts.tests.lifecycle_world import set_threshold, subscribe
from openbeat.events.services import EVENTS_INTEREST_SLUG, event_create, event_notify, event_publish
from openbeat.events.tests.conftest import event_values
from openbeat.subscriptions.models import Interest, Subscriber

pytestmark = pytest.mark.django_db


def test_the_events_interest_exists():
    assert Interest.objects.filter(slug=EVENTS_INTEREST_SLUG, active=True).exists()


def test_publishing_with_the_notice_makes_one_alert_to_the_neighbourhood(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event = event_publish(event=event, actor=world.officer, notify=True)
    alert = Alert.objects.get()
    assert event.notice_alert == alert
    assert alert.created_by == world.officer
    assert alert.interest.slug == EVENTS_INTEREST_SLUG
    assert alert.targeting["areas"]["neighbourhoods"] == [world.abbey.pk]
    assert not alert.targeting["areas"].get("whole_force")
    assert alert.targeting["topics"]["include"] == [EVENTS_INTEREST_SLUG]
    assert alert.title == event.title
    assert alert.link_url.endswith(event.get_absolute_url())
    assert alert.state != Alert.State.DRAFT  # submitted


def test_publishing_again_or_notifying_again_never_sends_twice(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_publish(event=event, actor=world.officer, notify=True)
    event_publish(event=event, actor=world.officer, notify=True)
    event_notify(event=event, actor=world.lead)
    assert Alert.objects.count() == 1


def test_a_division_event_goes_to_the_division(world):
    event = event_create(author=world.lead, division=world.west, **event_values())
    event_publish(event=event, actor=world.lead, notify=True)
    areas = Alert.objects.get().targeting["areas"]
    assert areas["divisions"] == [world.west.pk]


def test_a_force_wide_event_goes_to_the_whole_force_and_waits_for_approval(world):
    event = event_create(author=world.hq, force_wide=True, **event_values())
    event_publish(event=event, actor=world.hq, notify=True)
    alert = Alert.objects.get()
    assert alert.targeting["areas"]["whole_force"] is True
    assert alert.force_wide
    assert alert.state == Alert.State.AWAITING_APPROVAL  # force-wide alerts always need a second person


def test_a_notice_to_more_than_the_threshold_waits_for_approval(world):
    set_threshold(0)
    subscribe(world.abbey, count=2)
    # they chose to hear about events
    Subscriber.objects.update(interest_bits=Interest.objects.get(slug=EVENTS_INTEREST_SLUG).mask)
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_publish(event=event, actor=world.officer, notify=True)
    assert Alert.objects.get().state == Alert.State.AWAITING_APPROVAL


def test_a_small_notice_needs_no_approval(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_publish(event=event, actor=world.officer, notify=True)
    assert Alert.objects.get().state == Alert.State.APPROVED


def test_publishing_without_the_notice_sends_nothing(world):
    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    event_publish(event=event, actor=world.officer)
    assert not Alert.objects.exists()


def test_a_draft_cannot_be_announced(world):
    from openbeat.events.services import EventStateError

    event = event_create(author=world.officer, neighbourhood=world.abbey, **event_values())
    with pytest.raises(EventStateError):
        event_notify(event=event, actor=world.officer)
