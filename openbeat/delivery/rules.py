"""The subscriber's rules, applied to a batch of deliveries at hand-off: send now, hold, digest or skip.

`decide(deliveries=..., alert=..., now=...)` returns one `Decision` per delivery id. It reads the subscriber
row already on each delivery (`select_related("subscriber")`), loads `DeliverySettings` once (one query), and one
GROUP BY query counts the daily caps of the whole batch (per 2,000 subscribers): never a query per row.

The rules, in the order they are applied to each delivery (the first that matches decides):

1. **Can we reach them at all?** Skip when the subscriber was erased ("subscriber erased"), is
   "unsubscribed", "paused" or still "pending" (email not confirmed); for email when the address was stopped
   after bounces or complaints ("email stopped (bounces)") or is missing/unconfirmed; for SMS when the phone
   is missing/unverified; and when they chose neither day nor night for the channel.
2. **Minimum priority.** Skip when the alert's priority is below the subscriber's minimum for the channel
   ("below minimum priority"). Emergencies are the top priority, so they always pass.
3. **Expiry.** Skip an alert whose `expires_at` has passed ("expired"): it says "not sent after this time".
   Checked before the holds and the cap so that an expired alert is never held or gathered into a digest.
4. **Time of day** (not for emergencies). Day is `day_starts` until `night_starts`, night the rest, in the
   force's local time (settings.TIME_ZONE, Europe/London, so BST and GMT are both right). A subscriber who
   chose only day for the channel gets a night-time alert held until the next `day_starts`; only night, held
   until `night_starts`.
5. **SMS quiet hours** (not for emergencies). No SMS from `sms_quiet_start` until `sms_quiet_end` (the span
   may cross midnight): held until the quiet hours end. With rule 4, the hold is the earliest moment both
   allow; if none comes within two days (a night-only SMS subscriber whose whole night is quiet), skip.
   A hold never passes the alert's expiry: then skip ("expired before it could be sent").
6. **Overload guard** (only alerts below URGENT: urgent and emergency always go straight through). At most
   `daily_cap` non-urgent alerts per subscriber per channel per local calendar day. Counted: this
   subscriber's other non-urgent deliveries on the channel that are sending, delivered or in a temporary
   failure (being retried, so going out) and were sent today (by `sent_at`, or `created_at` before that is
   set). Over the cap, email is gathered into the daily digest ("digest": the pipeline marks the delivery
   digested and creates a DigestItem, see digest.py); SMS has no digest, so it is skipped ("over the daily
   SMS cap") rather than left waiting for a digest that never goes.

Otherwise: send now.

A held delivery keeps state `created` with `not_before`; the pipeline calls `decide` again when it comes due,
so the cap is checked on the day it actually goes. The cap is counted from the database at hand-off; this
alert's own rows (already claimed as sending by the pipeline) are left out of the count. Batches of two
different alerts for the same person decided at the same instant see each other's claimed rows for a moment,
so a race errs towards the digest, never past the cap (the pipeline claims rows before deciding).
Reasons are at most 60 characters (Delivery.failure_reason).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Literal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from openbeat.alerts.models import Alert, Priority
from openbeat.delivery.models import Channel, Delivery, DeliverySettings
from openbeat.subscriptions.models import Subscriber

Action = Literal["send", "hold", "digest", "skip"]

# States of a delivery that is, or is about to be, in the subscriber's hands: these fill the daily cap.
CAP_COUNTED_STATES = (Delivery.State.SENDING, Delivery.State.DELIVERED, Delivery.State.TEMPORARY_FAILURE)
# Subscriber ids per cap query: well inside every database's limit on query parameters.
CAP_QUERY_CHUNK = 2000
# How far ahead to look for a moment the subscriber's times and the quiet hours both allow.
HOLD_HORIZON_DAYS = 2


@dataclass(frozen=True)
class Decision:
    action: Action
    not_before: datetime | None = None
    reason: str = ""


SEND = Decision("send")


def decide(*, deliveries: list[Delivery], alert: Alert, now: datetime) -> dict[int, Decision]:
    """What to do with each of these deliveries of `alert` at `now` (aware), keyed by delivery id."""
    if not deliveries:
        return {}
    rules = load_settings()
    tz = timezone.get_default_timezone()
    # The time-of-day outcome depends only on the channel's day/night choice: worked out once per call.
    timing = functools.cache(functools.partial(_timing, now, alert.expires_at, rules, tz))
    decisions: dict[int, Decision] = {}
    capped: list[Delivery] = []
    for delivery in deliveries:
        decision = _decide_one(delivery, alert, now, timing)
        if decision.action == "send" and alert.priority < Priority.URGENT:
            capped.append(delivery)
        else:
            decisions[delivery.pk] = decision
    decisions.update(_apply_cap(capped, alert, now, rules, tz))
    return decisions


def load_settings() -> DeliverySettings:
    """The force's delivery settings, with their times as `time` even on the row's first, just-created load
    (a new model instance keeps its defaults as the strings the model declares)."""
    rules = DeliverySettings.load()
    for name in ("day_starts", "night_starts", "sms_quiet_start", "sms_quiet_end"):
        value = getattr(rules, name)
        if isinstance(value, str):
            setattr(rules, name, time.fromisoformat(value))
    return rules


def _decide_one(
    delivery: Delivery, alert: Alert, now: datetime, timing: Callable[[bool, bool, bool], Decision]
) -> Decision:
    subscriber = delivery.subscriber
    if subscriber is None:
        return Decision("skip", reason="subscriber erased")
    unreachable = _unreachable(subscriber, delivery.channel)
    if unreachable:
        return Decision("skip", reason=unreachable)
    if alert.priority < _min_priority(subscriber, delivery.channel):
        return Decision("skip", reason="below minimum priority")
    if alert.expires_at is not None and alert.expires_at <= now:
        return Decision("skip", reason="expired")
    if alert.priority >= Priority.EMERGENCY:
        return SEND
    day, night = _times_chosen(subscriber, delivery.channel)
    return timing(day, night, delivery.channel == Channel.SMS)


def _timing(
    now: datetime, expires_at: datetime | None, rules: DeliverySettings, tz: tzinfo, day: bool, night: bool, quiet: bool
) -> Decision:
    """Rules 4 and 5: send now, or hold until the first moment the subscriber's times and quiet hours allow."""
    reason = _hold_reason(now, rules, tz, day=day, night=night, quiet=quiet)
    if not reason:
        return SEND
    until = _next_allowed(now, rules, tz, day=day, night=night, quiet=quiet)
    if until is None:
        return Decision("skip", reason="no time allowed: night-only SMS in quiet hours")
    if expires_at is not None and until >= expires_at:
        return Decision("skip", reason="expired before it could be sent")
    return Decision("hold", not_before=until, reason=reason)


def _unreachable(subscriber: Subscriber, channel: str) -> str:
    """Why this subscriber cannot get anything on this channel now, or ""."""
    if subscriber.status != Subscriber.Status.ACTIVE:
        return str(subscriber.status)  # "unsubscribed", "paused", "pending"
    if channel == Channel.EMAIL:
        if subscriber.email_stopped:
            return "email stopped (bounces)"
        if not subscriber.email or subscriber.email_confirmed_at is None:
            return "no confirmed email address"
    elif not subscriber.phone or subscriber.phone_verified_at is None:
        return "no verified phone"
    if not any(_times_chosen(subscriber, channel)):
        return f"{'email' if channel == Channel.EMAIL else 'SMS'} turned off"
    return ""


def _min_priority(subscriber: Subscriber, channel: str) -> int:
    return subscriber.email_min_priority if channel == Channel.EMAIL else subscriber.sms_min_priority


def _times_chosen(subscriber: Subscriber, channel: str) -> tuple[bool, bool]:
    if channel == Channel.EMAIL:
        return subscriber.email_day, subscriber.email_night
    return subscriber.sms_day, subscriber.sms_night


# ------------------------------------------------------------------------------------------ time of day


def within(clock: time, start: time, end: time) -> bool:
    """Whether a wall-clock time is in [start, end), a span that may cross midnight (empty when start == end)."""
    if start <= end:
        return start <= clock < end
    return clock >= start or clock < end


def is_day(moment: datetime, rules: DeliverySettings, tz: tzinfo) -> bool:
    return within(moment.astimezone(tz).time(), rules.day_starts, rules.night_starts)


def _hold_reason(now: datetime, rules: DeliverySettings, tz: tzinfo, *, day: bool, night: bool, quiet: bool) -> str:
    """Why this moment is not allowed (a reason for staff), or "" when it is."""
    if is_day(now, rules, tz):
        if not day:
            return "held for the night: the subscriber chose night only"
    elif not night:
        return "held for the day: the subscriber chose day only"
    if quiet and within(now.astimezone(tz).time(), rules.sms_quiet_start, rules.sms_quiet_end):
        return "held for the end of SMS quiet hours"
    return ""


def _next_allowed(
    now: datetime, rules: DeliverySettings, tz: tzinfo, *, day: bool, night: bool, quiet: bool
) -> datetime | None:
    """The first moment after `now` that the subscriber's times (and the quiet hours) allow.

    Whether a moment is allowed only changes at day_starts, night_starts and the end of the quiet hours, so
    the answer is the earliest of those boundaries that is allowed.
    """
    local_today = now.astimezone(tz).date()
    boundaries = sorted(
        moment
        for days in range(HOLD_HORIZON_DAYS + 1)
        for clock in (rules.day_starts, rules.night_starts, rules.sms_quiet_end)
        # Built in local time (right on both sides of a clock change), compared in UTC.
        if (moment := datetime.combine(local_today + timedelta(days=days), clock, tzinfo=tz).astimezone(UTC)) > now
    )
    for moment in boundaries:
        if not _hold_reason(moment, rules, tz, day=day, night=night, quiet=quiet):
            return moment
    return None


# ------------------------------------------------------------------------------------------- daily cap


def local_day(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The force's calendar day containing `now`, as [start, end) (23 or 25 hours on a clock change)."""
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _apply_cap(
    deliveries: list[Delivery], alert: Alert, now: datetime, rules: DeliverySettings, tz: tzinfo
) -> dict[int, Decision]:
    if not deliveries:
        return {}
    counts = _sent_today(deliveries, alert, now, tz)
    decisions: dict[int, Decision] = {}
    for delivery in deliveries:
        key = (delivery.subscriber_id or 0, delivery.channel)
        if counts[key] < rules.daily_cap:
            counts[key] += 1  # the same person twice in one call fills the cap too
            decisions[delivery.pk] = SEND
        elif delivery.channel == Channel.EMAIL:
            decisions[delivery.pk] = Decision("digest", reason="over the daily cap: in the daily digest")
        else:
            decisions[delivery.pk] = Decision("skip", reason="over the daily SMS cap")
    return decisions


def _sent_today(
    deliveries: list[Delivery], alert: Alert, now: datetime, tz: tzinfo
) -> defaultdict[tuple[int, str], int]:
    """Non-urgent deliveries already on their way today, per (subscriber, channel), for these subscribers."""
    subscriber_ids = sorted({d.subscriber_id for d in deliveries if d.subscriber_id is not None})
    channels = sorted({d.channel for d in deliveries})
    counts: defaultdict[tuple[int, str], int] = defaultdict(int)
    for first in range(0, len(subscriber_ids), CAP_QUERY_CHUNK):
        rows = (
            _counted_today(now, tz, channels=channels, alert_id=alert.pk)
            .filter(subscriber_id__in=subscriber_ids[first : first + CAP_QUERY_CHUNK])
            .values("subscriber_id", "channel")
            .annotate(n=Count("pk"))
            .values_list("subscriber_id", "channel", "n")
        )
        for subscriber_id, channel, n in rows:
            counts[(subscriber_id, channel)] = n
    return counts


def _counted_today(now: datetime, tz: tzinfo, *, channels: list[str], alert_id: int | None) -> QuerySet[Delivery]:
    """The deliveries that fill the daily cap today on these channels (all but this alert's own)."""
    start, end = local_day(now, tz)
    rows = Delivery.objects.filter(
        channel__in=channels, state__in=CAP_COUNTED_STATES, alert__priority__lt=Priority.URGENT
    )
    if alert_id is not None:
        # This alert's own deliveries (one per person and channel) are what is being decided.
        rows = rows.exclude(alert_id=alert_id)
    return (
        rows.annotate(went_at=Coalesce("sent_at", "created_at"))
        .filter(Q(went_at__gte=start) & Q(went_at__lt=end))
        .order_by()
    )


def subscribers_with_sends_today(*, channel: str, now: datetime) -> list[int]:
    """Subscribers with at least one delivery counted against today's cap on the channel (one GROUP BY).

    For the composer's forecast (delivery.forecast): everyone else has nothing counted today, so `decide`
    would not hold them back for the cap; only these need their counts read."""
    tz = timezone.get_default_timezone()
    return list(
        _counted_today(now, tz, channels=[channel], alert_id=None).values_list("subscriber_id", flat=True).distinct()
    )
