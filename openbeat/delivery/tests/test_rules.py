"""The hand-off rules: who is skipped, held, digested or sent to now, in which order, in London's local time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from openbeat.alerts.models import Priority
from openbeat.delivery import rules
from openbeat.delivery.models import Channel, Delivery
from openbeat.delivery.rules import Decision, decide
from openbeat.delivery.tests.rules_world import alert, already_had, deliveries, delivery_settings, london, subscriber

pytestmark = pytest.mark.django_db

SUMMER_NOON = london(2026, 7, 15, 12)  # BST (UTC+1)
SUMMER_NIGHT = london(2026, 7, 15, 23, 30)  # 22:30 UTC
WINTER_NIGHT = london(2026, 1, 15, 23, 30)  # GMT: 23:30 UTC
SEND = Decision("send")


def decide_for(who, now, *, channel=Channel.EMAIL, of=None, **alert_fields) -> Decision:
    of = of or alert(**alert_fields)
    (delivery,) = deliveries(of, [who], channel)
    return decide(deliveries=[delivery], alert=of, now=now)[delivery.pk]


# ------------------------------------------------------------------------------ reachable at all


def test_an_active_subscriber_who_wants_everything_is_sent_to_now():
    assert decide_for(subscriber(), SUMMER_NOON) == SEND
    assert decide_for(subscriber(), SUMMER_NOON, channel=Channel.SMS) == SEND


@pytest.mark.parametrize("status", ["unsubscribed", "paused", "pending"])
def test_a_subscriber_who_is_not_active_is_skipped_with_their_status_as_the_reason(status):
    assert decide_for(subscriber(status=status), SUMMER_NOON) == Decision("skip", reason=status)


def test_an_erased_subscribers_delivery_is_skipped():
    of = alert()
    (delivery,) = deliveries(of, [None])
    assert decide(deliveries=[delivery], alert=of, now=SUMMER_NOON) == {
        delivery.pk: Decision("skip", reason="subscriber erased")
    }


def test_email_stopped_after_bounces_skips_email_but_not_sms():
    who = subscriber(email_stopped=True)
    assert decide_for(who, SUMMER_NOON) == Decision("skip", reason="email stopped (bounces)")
    assert decide_for(who, SUMMER_NOON, channel=Channel.SMS) == SEND


def test_a_missing_or_unconfirmed_address_or_phone_is_skipped():
    assert decide_for(subscriber(email_confirmed_at=None), SUMMER_NOON).reason == "no confirmed email address"
    assert decide_for(subscriber(email=None), SUMMER_NOON).reason == "no confirmed email address"
    unverified = subscriber(phone_verified_at=None)
    assert decide_for(unverified, SUMMER_NOON, channel=Channel.SMS).reason == "no verified phone"


def test_a_channel_chosen_at_no_time_of_day_is_skipped():
    who = subscriber(sms_day=False, sms_night=False)
    assert decide_for(who, SUMMER_NOON, channel=Channel.SMS) == Decision("skip", reason="SMS turned off")


# ------------------------------------------------------------------------------ minimum priority


def test_an_alert_below_the_channels_minimum_priority_is_skipped_on_that_channel_only():
    who = subscriber(sms_min_priority=Priority.URGENT)
    of = alert(priority=Priority.NORMAL)
    assert decide_for(who, SUMMER_NOON, channel=Channel.SMS, of=of) == Decision("skip", reason="below minimum priority")
    assert decide_for(who, SUMMER_NOON, of=of) == SEND
    assert decide_for(who, SUMMER_NOON, channel=Channel.SMS, priority=Priority.URGENT) == SEND


def test_an_emergency_passes_the_highest_minimum_priority():
    who = subscriber(email_min_priority=Priority.EMERGENCY)
    assert decide_for(who, SUMMER_NOON, priority=Priority.URGENT).reason == "below minimum priority"
    assert decide_for(who, SUMMER_NOON, priority=Priority.EMERGENCY) == SEND


# ------------------------------------------------------------------------------ expiry


def test_an_expired_alert_is_skipped_and_one_not_yet_expired_goes():
    assert decide_for(subscriber(), SUMMER_NOON, expires_at=SUMMER_NOON) == Decision("skip", reason="expired")
    assert decide_for(subscriber(), SUMMER_NOON, expires_at=SUMMER_NOON + timedelta(minutes=1)) == SEND


def test_even_an_emergency_is_not_sent_after_it_expires():
    expired = decide_for(subscriber(), SUMMER_NOON, priority=Priority.EMERGENCY, expires_at=SUMMER_NOON)
    assert expired.reason == "expired"


# ------------------------------------------------------------------------------ time of day


def test_a_day_only_subscriber_gets_a_night_alert_at_the_next_day_start_in_summer_time():
    decision = decide_for(subscriber(email_night=False), SUMMER_NIGHT)
    assert decision.action == "hold"
    assert decision.not_before == london(2026, 7, 16, 7)
    assert decision.not_before == datetime(2026, 7, 16, 6, tzinfo=UTC)  # 07:00 BST
    assert decision.reason == "held for the day: the subscriber chose day only"


def test_a_day_only_subscriber_gets_a_night_alert_at_the_next_day_start_in_winter_time():
    decision = decide_for(subscriber(email_night=False), WINTER_NIGHT)
    assert decision.not_before == datetime(2026, 1, 16, 7, tzinfo=UTC)  # 07:00 GMT


def test_after_midnight_the_hold_is_until_the_same_mornings_day_start():
    decision = decide_for(subscriber(email_night=False), london(2026, 7, 16, 3))
    assert decision.not_before == london(2026, 7, 16, 7)


def test_the_hold_follows_the_clocks_going_forward_overnight():
    # British Summer Time starts at 01:00 UTC on 29 March 2026: the morning after is 07:00 BST, 06:00 UTC.
    decision = decide_for(subscriber(email_night=False), london(2026, 3, 28, 23, 30))
    assert decision.not_before == datetime(2026, 3, 29, 6, tzinfo=UTC)


def test_a_night_only_subscriber_gets_a_day_alert_when_the_night_starts():
    decision = decide_for(subscriber(email_day=False), SUMMER_NOON)
    assert decision == Decision(
        "hold", not_before=london(2026, 7, 15, 22), reason="held for the night: the subscriber chose night only"
    )
    assert decide_for(subscriber(email_day=False), SUMMER_NIGHT) == SEND


def test_day_and_night_follow_the_forces_settings():
    delivery_settings(day_starts=time(6, 30), night_starts=time(20))
    day_only = subscriber(email_night=False)
    assert decide_for(day_only, london(2026, 7, 15, 6, 29)).not_before == london(2026, 7, 15, 6, 30)
    assert decide_for(day_only, london(2026, 7, 15, 6, 30)) == SEND
    assert decide_for(day_only, london(2026, 7, 15, 20)).not_before == london(2026, 7, 16, 6, 30)


def test_urgent_alerts_still_wait_for_the_subscribers_time_of_day_but_emergencies_go_now():
    day_only = subscriber(email_night=False)
    assert decide_for(day_only, SUMMER_NIGHT, priority=Priority.URGENT).action == "hold"
    assert decide_for(day_only, SUMMER_NIGHT, priority=Priority.EMERGENCY) == SEND


def test_a_held_delivery_decided_again_when_it_comes_due_is_sent():
    of = alert()
    (delivery,) = deliveries(of, [subscriber(email_night=False)])
    held = decide(deliveries=[delivery], alert=of, now=SUMMER_NIGHT)[delivery.pk]
    assert decide(deliveries=[delivery], alert=of, now=held.not_before) == {delivery.pk: SEND}


# ------------------------------------------------------------------------------ SMS quiet hours


def test_sms_in_quiet_hours_is_held_until_they_end_but_email_is_not():
    who = subscriber()
    decision = decide_for(who, SUMMER_NIGHT, channel=Channel.SMS)
    assert decision == Decision("hold", not_before=london(2026, 7, 16, 8), reason="held for the end of SMS quiet hours")
    assert decide_for(who, london(2026, 7, 15, 21), channel=Channel.SMS).not_before == london(2026, 7, 16, 8)
    assert decide_for(who, london(2026, 7, 16, 7, 59), channel=Channel.SMS).not_before == london(2026, 7, 16, 8)
    assert decide_for(who, london(2026, 7, 16, 8), channel=Channel.SMS) == SEND
    assert decide_for(who, SUMMER_NIGHT) == SEND


def test_quiet_hours_follow_the_forces_settings():
    delivery_settings(sms_quiet_start=time(23), sms_quiet_end=time(6))
    assert decide_for(subscriber(), london(2026, 7, 15, 22, 59), channel=Channel.SMS) == SEND
    assert decide_for(subscriber(), SUMMER_NIGHT, channel=Channel.SMS).not_before == london(2026, 7, 16, 6)


def test_emergencies_go_by_sms_in_quiet_hours():
    decision = decide_for(subscriber(sms_day=True, sms_night=False), SUMMER_NIGHT, channel=Channel.SMS, priority=3)
    assert decision == SEND


def test_a_day_only_sms_subscriber_waits_for_both_the_day_and_the_end_of_quiet_hours():
    # Day starts at 07:00, quiet hours end at 08:00: the first moment both allow is 08:00.
    decision = decide_for(subscriber(sms_night=False), SUMMER_NIGHT, channel=Channel.SMS)
    assert decision.not_before == london(2026, 7, 16, 8)
    assert decision.reason == "held for the day: the subscriber chose day only"


def test_a_night_only_sms_subscriber_whose_whole_night_is_quiet_is_skipped():
    # Night 22:00-07:00 lies inside quiet hours 21:00-08:00: no moment ever allows a non-emergency SMS.
    who = subscriber(sms_day=False)
    assert decide_for(who, SUMMER_NOON, channel=Channel.SMS) == Decision(
        "skip", reason="no time allowed: night-only SMS in quiet hours"
    )
    assert decide_for(who, SUMMER_NOON, channel=Channel.SMS, priority=Priority.EMERGENCY) == SEND


def test_a_hold_never_runs_past_the_alerts_expiry():
    day_only = subscriber(email_night=False)
    assert decide_for(day_only, SUMMER_NIGHT, expires_at=london(2026, 7, 16, 6)) == Decision(
        "skip", reason="expired before it could be sent"
    )
    assert decide_for(day_only, SUMMER_NIGHT, expires_at=london(2026, 7, 16, 7, 1)).action == "hold"


# ------------------------------------------------------------------------------ overload guard


def test_the_cap_sends_up_to_the_daily_number_then_gathers_email_into_the_digest():
    under, full = subscriber(), subscriber()
    already_had(under, at=london(2026, 7, 15, 9), count=2)
    already_had(full, at=london(2026, 7, 15, 9), count=3)
    of = alert()
    first, second = deliveries(of, [under, full])
    assert decide(deliveries=[first, second], alert=of, now=SUMMER_NOON) == {
        first.pk: SEND,
        second.pk: Decision("digest", reason="over the daily cap: in the daily digest"),
    }


def test_sms_over_the_cap_is_skipped_as_it_has_no_digest():
    who = subscriber()
    already_had(who, at=london(2026, 7, 15, 9), count=3, channel=Channel.SMS)
    assert decide_for(who, SUMMER_NOON, channel=Channel.SMS) == Decision("skip", reason="over the daily SMS cap")


def test_the_cap_is_counted_per_channel():
    who = subscriber()
    already_had(who, at=london(2026, 7, 15, 9), count=3, channel=Channel.SMS)
    assert decide_for(who, SUMMER_NOON) == SEND


def test_the_cap_is_counted_per_local_day_in_summer_time():
    who = subscriber()
    # 23:30 BST on the 15th is 22:30 UTC: yesterday. 00:30 BST on the 16th is 23:30 UTC on the 15th: today.
    already_had(who, at=datetime(2026, 7, 15, 22, 30, tzinfo=UTC), count=3)
    already_had(who, at=datetime(2026, 7, 15, 23, 30, tzinfo=UTC), count=2)
    noon_16th = london(2026, 7, 16, 12)
    assert decide_for(who, noon_16th) == SEND
    already_had(who, at=london(2026, 7, 16, 11))
    assert decide_for(who, noon_16th).action == "digest"


def test_the_cap_is_counted_per_local_day_in_winter_time():
    who = subscriber()
    already_had(who, at=datetime(2026, 1, 15, 23, 59, tzinfo=UTC), count=3)  # 23:59 GMT, the day before
    assert decide_for(who, london(2026, 1, 16, 0, 30)) == SEND
    assert decide_for(who, WINTER_NIGHT).action == "digest"


def test_only_non_urgent_alerts_on_their_way_fill_the_cap():
    who = subscriber()
    morning = london(2026, 7, 15, 9)
    already_had(who, at=morning, count=2, priority=Priority.URGENT)
    already_had(who, at=morning, count=2, priority=Priority.EMERGENCY)
    already_had(who, at=morning, state=Delivery.State.PERMANENT_FAILURE)
    already_had(who, at=morning, state=Delivery.State.SKIPPED)
    already_had(who, at=morning, state=Delivery.State.DIGESTED)
    already_had(who, at=morning, state=Delivery.State.SENDING)
    already_had(who, at=morning, state=Delivery.State.TEMPORARY_FAILURE, priority=Priority.INFORMATION)
    assert decide_for(who, SUMMER_NOON) == SEND
    already_had(who, at=morning)
    assert decide_for(who, SUMMER_NOON).action == "digest"


def test_a_delivery_not_yet_stamped_sent_counts_by_when_it_was_created():
    who = subscriber()
    already_had(who, at=london(2026, 7, 15, 9), count=2)
    in_flight = Delivery.objects.create(alert=alert(), subscriber=who, channel=Channel.EMAIL, state="sending")
    Delivery.objects.filter(pk=in_flight.pk).update(created_at=london(2026, 7, 14, 23))
    assert decide_for(who, SUMMER_NOON) == SEND
    Delivery.objects.filter(pk=in_flight.pk).update(created_at=london(2026, 7, 15, 0, 30))
    assert decide_for(who, SUMMER_NOON).action == "digest"


def test_a_delivery_decided_again_while_being_retried_does_not_count_against_itself():
    who = subscriber()
    already_had(who, at=london(2026, 7, 15, 9), count=2)
    of = alert()
    (delivery,) = deliveries(of, [who])
    Delivery.objects.filter(pk=delivery.pk).update(state="temporary-failure", sent_at=london(2026, 7, 15, 11))
    assert decide(deliveries=[delivery], alert=of, now=SUMMER_NOON) == {delivery.pk: SEND}


@pytest.mark.parametrize("priority", [Priority.URGENT, Priority.EMERGENCY])
def test_urgent_and_emergency_alerts_go_straight_through_the_cap(priority):
    who = subscriber()
    already_had(who, at=london(2026, 7, 15, 9), count=10)
    assert decide_for(who, SUMMER_NOON, priority=priority) == SEND
    assert decide_for(who, SUMMER_NOON, priority=Priority.INFORMATION).action == "digest"


def test_the_cap_follows_the_forces_setting():
    delivery_settings(daily_cap=0)
    assert decide_for(subscriber(), SUMMER_NOON).action == "digest"
    delivery_settings(daily_cap=1)
    assert decide_for(subscriber(), SUMMER_NOON) == SEND


def test_subscribers_counts_do_not_leak_across_a_large_batch_split_into_chunks(monkeypatch):
    monkeypatch.setattr(rules, "CAP_QUERY_CHUNK", 3)
    people = [subscriber() for _ in range(10)]
    full = set(people[::2])
    for who in full:
        already_had(who, at=london(2026, 7, 15, 9), count=3)
    of = alert()
    batch = deliveries(of, people)
    decisions = decide(deliveries=batch, alert=of, now=SUMMER_NOON)
    assert {d.subscriber: decisions[d.pk].action for d in batch} == {
        who: "digest" if who in full else "send" for who in people
    }


# ------------------------------------------------------------------------------ order of the rules


def test_the_first_rule_that_applies_gives_the_reason():
    # paused beats below-priority beats expired beats time of day beats the cap
    paused_and_below = subscriber(status="paused", email_min_priority=Priority.URGENT)
    assert decide_for(paused_and_below, SUMMER_NOON).reason == "paused"
    stopped_and_below = subscriber(email_stopped=True, email_min_priority=Priority.URGENT)
    assert decide_for(stopped_and_below, SUMMER_NOON).reason == "email stopped (bounces)"
    below = subscriber(email_min_priority=Priority.URGENT, email_night=False)
    assert decide_for(below, SUMMER_NIGHT, expires_at=SUMMER_NIGHT).reason == "below minimum priority"
    day_only_full = subscriber(email_night=False)
    already_had(day_only_full, at=london(2026, 7, 15, 20), count=3)
    assert decide_for(day_only_full, SUMMER_NIGHT, expires_at=SUMMER_NIGHT).reason == "expired"
    assert decide_for(day_only_full, SUMMER_NIGHT).action == "hold"


def test_a_held_alert_is_capped_on_the_day_it_goes():
    who = subscriber(email_night=False)
    already_had(who, at=london(2026, 7, 15, 20), count=3)
    of = alert()
    (delivery,) = deliveries(of, [who])
    held = decide(deliveries=[delivery], alert=of, now=SUMMER_NIGHT)[delivery.pk]
    assert held.action == "hold"
    assert decide(deliveries=[delivery], alert=of, now=held.not_before)[delivery.pk] == SEND  # a new day
    already_had(who, at=london(2026, 7, 16, 7, 30), count=3)
    assert decide(deliveries=[delivery], alert=of, now=london(2026, 7, 16, 8))[delivery.pk].action == "digest"


# ------------------------------------------------------------------------------ queries


def test_a_batch_is_decided_in_two_queries_whatever_its_size(django_assert_max_num_queries):
    delivery_settings()  # exists already, as in production, so loading it is one query
    people = [subscriber() for _ in range(40)]
    people += [subscriber(status="paused"), subscriber(email_day=False), subscriber(email_min_priority=3)]
    for who in people[:10]:
        already_had(who, at=london(2026, 7, 15, 9), count=3)
    of = alert()
    batch = deliveries(of, people)
    with django_assert_max_num_queries(2):
        decisions = decide(deliveries=batch, alert=of, now=SUMMER_NOON)
    actions = [decisions[d.pk].action for d in batch]
    assert actions.count("digest") == 10
    assert actions.count("send") == 30
    assert actions.count("skip") == 2
    assert actions.count("hold") == 1


def test_an_urgent_batch_needs_no_cap_query(django_assert_num_queries):
    delivery_settings()
    of = alert(priority=Priority.URGENT)
    batch = deliveries(of, [subscriber() for _ in range(5)])
    with django_assert_num_queries(1):
        decisions = decide(deliveries=batch, alert=of, now=SUMMER_NOON)
    assert set(decisions.values()) == {SEND}


def test_an_empty_batch_needs_no_query(django_assert_num_queries):
    of = alert()
    with django_assert_num_queries(0):
        assert decide(deliveries=[], alert=of, now=SUMMER_NOON) == {}
