"""The daily digest: alerts over a subscriber's daily cap, gathered into one email per person per day.

When the overload guard (rules.py) says "digest", the pipeline marks the delivery `digested` and creates a
DigestItem. `digest_send_due(now=...)` sends what is due, and is run by cron (`manage.py send_digests`, every
15 minutes is plenty) or as the task `digest_send_task`:

- The digest goes at `DIGEST_TIME` (18:00 force local time), a fixed constant rather than a setting: early
  evening sums up the day's non-urgent alerts while they still matter (day_starts would send yesterday's
  news in the morning). A run at or after that time sends each subscriber ONE email listing their waiting
  items from deliveries created before it; items from later wait for the next day's digest.
- One per person per day, and idempotent: a subscriber who already had a digest since today's digest time
  gets none until tomorrow's, and the items are marked `sent_in_digest_at` in the same transaction that
  queues the email (through the transactional layer, `core.messaging.email_send`, purpose
  "delivery.digest"), under a row lock, so overlapping runs send it once. Like an alert email it comes from
  the force's name, has one-click List-Unsubscribe headers, and each alert listed has its rating links.
- The subscriber's time of day for email still applies: a night-only subscriber's digest waits for a run
  after `night_starts`.
- Email only. SMS over the cap is skipped at hand-off (rules.py): an SMS subscriber over the cap gets nothing
  extra. Email items whose subscriber can no longer get email (paused, unsubscribed, stopped after bounces),
  and alerts that expired before the digest went, are dropped: marked `sent_in_digest_at` (dealt with by
  the digest run) without being listed, since they say "not after this time" / "nothing more to me".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import groupby
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.tasks import task
from django.utils import timezone, translation
from django.utils.text import Truncator

from openbeat.alerts.emails import RATING_WORDS, RATINGS, frame_language
from openbeat.alerts.markdown import render_text
from openbeat.alerts.models import Alert, AlertTranslation
from openbeat.core.messaging import email_send
from openbeat.core.paths import absolute_url
from openbeat.delivery import links
from openbeat.delivery.models import Channel, Delivery, DigestItem
from openbeat.delivery.rules import is_day, load_settings
from openbeat.subscriptions.links import preferences_link, unsubscribe_link
from openbeat.subscriptions.models import Subscriber

logger = logging.getLogger(__name__)

DIGEST_TIME = time(18, 0)
TEMPLATE = "delivery/email/digest"
PURPOSE = "delivery.digest"
SUMMARY_CHARS = 200


@dataclass(frozen=True)
class DigestEntry:
    """One alert as the digest lists it."""

    title: str
    summary: str
    url: str
    ratings: list[tuple[str, int, str]]  # the "Was this useful?" links of its delivery, as an alert email has
    language: str = ""  # the title's and summary's when not the frame's (an alert not translated into it)


def digest_cutoff(now: datetime) -> datetime:
    """The latest digest time at or before `now` (today's if it has passed, else yesterday's)."""
    tz = timezone.get_default_timezone()
    today = now.astimezone(tz).date()
    cutoff = datetime.combine(today, DIGEST_TIME, tzinfo=tz).astimezone(UTC)
    if cutoff > now:
        cutoff = datetime.combine(today - timedelta(days=1), DIGEST_TIME, tzinfo=tz).astimezone(UTC)
    return cutoff


def digest_send_due(*, now: datetime) -> int:
    """Send every digest due at `now`. Returns how many emails were queued."""
    cutoff = digest_cutoff(now)
    rules = load_settings()
    night = not is_day(now, rules, timezone.get_default_timezone())
    already = DigestItem.objects.filter(sent_in_digest_at__gte=cutoff).values("subscriber_id")
    waiting = (
        DigestItem.objects.filter(
            sent_in_digest_at__isnull=True,
            delivery__channel=Channel.EMAIL,
            delivery__created_at__lt=cutoff,
        )
        .exclude(subscriber_id__in=already)
        .select_related("subscriber", "delivery__alert")
        .prefetch_related(Prefetch("delivery__alert__translations", queryset=AlertTranslation.objects.all()))
        .order_by("subscriber_id", "delivery__created_at", "pk")
    )
    sent = 0
    for _, group in groupby(waiting, key=lambda item: item.subscriber_id):
        items = list(group)
        subscriber = items[0].subscriber
        if _reachable(subscriber) and not (subscriber.email_night if night else subscriber.email_day):
            continue  # not their time of day for email: a later run sends it
        sent += _send_one(subscriber, items, now)
    return sent


def _reachable(subscriber: Subscriber) -> bool:
    return (
        subscriber.status == Subscriber.Status.ACTIVE
        and bool(subscriber.email)
        and subscriber.email_confirmed_at is not None
        and not subscriber.email_stopped
        and (subscriber.email_day or subscriber.email_night)
    )


def _send_one(subscriber: Subscriber, items: list[DigestItem], now: datetime) -> int:
    with transaction.atomic():
        # Locked and re-checked: an overlapping run that got here first has marked them.
        claimed = set(
            DigestItem.objects.select_for_update()
            .filter(pk__in=[item.pk for item in items], sent_in_digest_at__isnull=True)
            .values_list("pk", flat=True)
        )
        items = [item for item in items if item.pk in claimed]
        if not items:
            return 0
        frame = frame_language(subscriber.language)
        with translation.override(frame):  # the rating words, like the rest of the frame, in their language
            entries = [_entry(item.delivery, frame) for item in items if not _expired(item.delivery.alert, now)]
        queued = 0
        if entries and _reachable(subscriber):
            email_send(
                to=str(subscriber.email),
                template=TEMPLATE,
                context=_context(subscriber, entries),
                purpose=PURPOSE,
                headers=_headers(subscriber),
                language=frame,
            )
            queued = 1
        DigestItem.objects.filter(pk__in=claimed).update(sent_in_digest_at=now)
    logger.info(
        "digest for subscriber %s: %d listed, %d dealt with", subscriber.pk, len(entries) * queued, len(claimed)
    )
    return queued


def _expired(alert: Alert, now: datetime) -> bool:
    return alert.expires_at is not None and alert.expires_at <= now


def _entry(delivery: Delivery, language: str) -> DigestEntry:
    alert = delivery.alert
    title, body, written_in = alert.title, alert.body, "en"
    for version in alert.translations.all():  # prefetched
        if version.language == language:
            title, body, written_in = version.title, version.body, language
    paragraphs = [part.strip() for part in render_text(body).split("\n\n") if part.strip()]
    summary = Truncator(" ".join(paragraphs[0].split()) if paragraphs else "").chars(SUMMARY_CHARS)
    return DigestEntry(
        title=title,
        summary=summary,
        url=absolute_url(alert.get_absolute_url()),
        ratings=[(links.rating_url(delivery, n), n, str(RATING_WORDS[n])) for n in RATINGS],
        language="" if written_in == language else written_in,
    )


def _headers(subscriber: Subscriber) -> dict[str, str]:
    """One-click unsubscribe (RFC 8058), as every alert email has."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_link(subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _context(subscriber: Subscriber, entries: list[DigestEntry]) -> dict[str, Any]:
    return {
        "kind": "digest",
        "entries": entries,
        "count": len(entries),
        "preferences": preferences_link(subscriber),
        "unsubscribe": unsubscribe_link(subscriber),
    }


@task()
def digest_send_task() -> int:
    """Send the digests due now (idempotent: safe to queue as often as you like)."""
    return digest_send_due(now=timezone.now())
