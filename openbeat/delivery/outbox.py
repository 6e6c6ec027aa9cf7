"""The outbox: every delivery of an alert persisted in bulk, then handed to transports in batch tasks.

Flow. `alert_dispatch` (alerts) moves the alert to *sending* and, in the same transaction, calls
`outbox_fill_for_alert`: one INSERT ... SELECT writes a Delivery per (alert, subscriber, channel), joining
the subscriber (language) and their home neighbourhood (and its division) in SQL. When that transaction commits, one
`deliveries_send(alert_id, channel, first_id, last_id)` task is queued per ~1,000 deliveries of a channel
(never one per message). Each task runs `batch_send`: claim, apply the subscriber's rules, build, send,
record. After each batch `alert_finish_if_done` marks the alert sent once no delivery is still pending.

Resumable and idempotent, and why at most one message per connection can repeat:

- A batch only sends rows it *claims*: one conditional UPDATE moves its due rows from created or
  temporary-failure to sending (``... WHERE state IN (...) RETURNING id``), so two workers running the same
  batch, a re-sent task, or a retry never take the same row, and a delivered row is never sent again.
- Outcomes are recorded as the transport reports them, each group it reports together (at most one per
  connection) in one UPDATE committed on its own, and the transport lets no connection finish another
  message until its last outcome is committed (transports.base, `send_groups`). The database therefore
  never lags the SMTP server by more than one message per connection.
- Leases. The claim is made under a lease (models.BatchLease), written in the claim's transaction, and each
  claimed row records the lease's id. While the batch runs, a thread of its worker renews the lease every
  third of DELIVERY_LEASE_SECONDS (30 s by default), whatever the transport is doing (a session may wait
  30 s for a slow server's reply); the batch deletes it when it ends. A worker killed mid-batch stops
  renewing: its lease expires within DELIVERY_LEASE_SECONDS of the kill, and the sweep (`outbox_sweep`, run
  every DELIVERY_SWEEP_SECONDS, 15 s, by the scheduler, `manage.py run_scheduler`; also each `batch_send` for
  the leases over its own range) deletes the expired lease, returns *its* rows still in sending to created
  (``WHERE lease_id = <it>``: rows another batch has claimed since carry another id and are never touched)
  and queues the batch again, so they are sent by the next worker within about a minute of the kill, with
  no cron and no one running a command: nobody is lost. The sweep also marks the batch's django-tasks-db
  result, left "running" by the dead worker, failed (`WorkerLost`).
- Deleting the lease row is the hand-over, decided by the database: the sweep deletes it only if it is
  still expired at that moment (a renewal that got there first wins), and a worker whose renewal finds the
  row gone has lost the batch. A worker that was alive but stalled for a whole lease (the database
  unreachable, the process stopped) checks that its lease is held after recording each group, before the
  transport may let another message be accepted, and stops there. So a lost lease, like a kill, can repeat
  only the messages accepted and not yet recorded: at most one per connection. Outcomes it records late
  touch only rows still under its lease (failures) or still in sending (successes).
- The one message that can arrive twice is the one in flight at the kill: the SMTP server had accepted it
  (said "250 OK" to the end of DATA) but the worker died before its UPDATE committed. Nothing on our side can
  tell "accepted, not recorded" from "never sent", and sending it again beats losing it (an alert may be
  about safety). A connection has at most one accepted, unrecorded message at any moment, so a killed worker
  can repeat at most one message per connection it had open (DELIVERY_SMTP_CONNECTIONS, default 8; with 1,
  exactly the single message in flight). delivery/tests/test_fault.py kills a real worker to check this,
  and that the scheduler alone finishes the alert within a minute of the kill.
- SMS handed to GOV.UK Notify stays in sending with Notify's id (`provider_id`) until Notify's callback
  moves it on (delivery.views.callbacks); recovery never touches a row that has a provider id.
- The slow safety net, `outbox_recover` (the command, and the scheduler every STALE_AFTER): rows in sending
  with no lease (claimed before leases existed) or whose lease row is gone go back once they have been
  there STALE_AFTER; batch task results left running with no lease (a worker killed in the instant between
  taking the task and claiming, or between the end of the batch and recording it) are closed and their
  batches queued again; and so are the batches of alerts that stalled with nothing in flight.

Retries: a temporary failure (connection refused, 4xx) waits 30 s, 2 min, 10 min, then 1 h, and becomes a
permanent failure after `MAX_ATTEMPTS` attempts; the batch's task is queued again for when the first retry
is due (on backends that can defer; otherwise `outbox_recover` re-queues due rows). Rows the rules hold
(night-only, SMS quiet hours) go back to created with `not_before`, with a task deferred to that time.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Generator, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Max, Min, Q
from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone

from openbeat.alerts.models import Alert, AlertTranslation
from openbeat.areas.models import Neighbourhood
from openbeat.delivery.models import BatchLease, Channel, Delivery, DigestItem
from openbeat.subscriptions.models import Subscriber

if TYPE_CHECKING:
    from openbeat.alerts.audience import Audience
    from openbeat.delivery.transports.base import Outcome, OutgoingEmail, OutgoingSms

logger = logging.getLogger(__name__)

BATCH_SIZE = 1_000
# Backoff after the 1st, 2nd, 3rd, 4th temporary failure; the 5th attempt failing is final.
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))
MAX_ATTEMPTS = len(BACKOFF) + 1
# A row in sending this long with no outcome and no lease belongs to a worker that died (a batch takes
# seconds); rows under a lease are judged by the lease instead (DELIVERY_LEASE_SECONDS).
STALE_AFTER = timedelta(minutes=10)
# A lease is renewed this many times per its length: two renewals in a row can fail before it lapses.
LEASE_RENEWALS = 3
SQLITE_FILL_CACHE_KB = 128 * 1024

State = Delivery.State
PENDING_STATES = (State.CREATED, State.SENDING, State.TEMPORARY_FAILURE)
CLAIMABLE_STATES = (State.CREATED, State.TEMPORARY_FAILURE)


# --- Filling the outbox ------------------------------------------------------------------------------------


def outbox_fill_for_alert(*, alert: Alert, audience: Audience) -> int:
    """Persist every delivery of `alert` to `audience` and queue its batches when the transaction commits.

    Idempotent: a delivery that already exists is left alone (ON CONFLICT DO NOTHING on the unique
    (alert, subscriber, channel), when the alert has deliveries on that channel already). Returns the number
    of deliveries created.
    """
    if len(audience) == 0:
        from openbeat.alerts.services import alert_mark_sent

        alert_mark_sent(alert=alert)
        return 0
    languages = list(AlertTranslation.objects.filter(alert=alert).values_list("language", flat=True))
    created = 0
    for channel, ids in ((Channel.EMAIL, audience.email), (Channel.SMS, audience.sms)):
        if len(ids):
            created += _insert_deliveries(alert.pk, str(channel), np.asarray(ids, dtype=np.int64), languages)
    ranges = {str(channel): batch_ranges(alert_id=alert.pk, channel=str(channel)) for channel in Channel}
    transaction.on_commit(lambda: _enqueue_batches(alert.pk, ranges))
    return created


def _insert_deliveries(alert_id: int, channel: str, ids: np.ndarray, languages: Sequence[str]) -> int:
    """One INSERT ... SELECT over the ids (a JSON array on SQLite, a bigint[] on PostgreSQL)."""
    table = Delivery._meta.db_table
    subscribers = Subscriber._meta.db_table
    neighbourhoods = Neighbourhood._meta.db_table
    id_list = ",".join(map(str, ids.tolist()))
    # No token: the batch that claims a row gives it one (_claim).
    if connection.vendor == "postgresql":
        source = "unnest(%s::bigint[]) AS a(id)"
        id_param = "{" + id_list + "}"
    else:
        source = "(SELECT value AS id FROM json_each(%s)) AS a"
        id_param = "[" + id_list + "]"
    if languages:
        language_sql = f"CASE WHEN s.language IN ({', '.join(['%s'] * len(languages))}) THEN s.language ELSE 'en' END"
    else:
        language_sql = "'en'"
    now = timezone.now()
    sql = (
        f"INSERT INTO {table} (alert_id, subscriber_id, channel, state, division_id, neighbourhood_id, "  # noqa: S608
        "language, attempts, last_error, failure_reason, provider_id, created_at) "
        f"SELECT %s, s.id, %s, %s, n.division_id, n.id, {language_sql}, 0, '', '', '', %s "
        f"FROM {source} JOIN {subscribers} s ON s.id = a.id "
        f"LEFT JOIN {neighbourhoods} n ON n.id = s.home_neighbourhood_id "
        # SQLite needs a WHERE before ON CONFLICT in an INSERT ... SELECT with joins (a parsing ambiguity).
        "WHERE 1 = 1"
    )
    # Only a second fill of the same alert and channel can meet rows of its own (the caller holds the alert's
    # row lock). A first fill goes without ON CONFLICT: on PostgreSQL each row would otherwise be a
    # speculative insertion, with a check of the unique index first and one more WAL record after.
    if Delivery.objects.filter(alert_id=alert_id, channel=channel).exists():
        sql += " ON CONFLICT DO NOTHING"
    created_at = connection.ops.adapt_datetimefield_value(now)
    params: list[Any] = [alert_id, channel, State.CREATED, *languages, created_at, id_param]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # SQLite's default page cache (2 MB) thrashes on a million-row insert into a table with several
            # indexes: 128 MB for this statement halves its time (9.6 s -> 5.4 s at 1M), then back.
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = {-SQLITE_FILL_CACHE_KB}")
            try:
                cursor.execute(sql, params)
                inserted = cursor.rowcount
            finally:
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
        else:
            cursor.execute(sql, params)
            inserted = cursor.rowcount
        return max(inserted, 0)


def batch_ranges(*, alert_id: int, channel: str, size: int = BATCH_SIZE) -> list[tuple[int, int]]:
    """(first_id, last_id) of each run of `size` deliveries of an alert on a channel, in id order."""
    table = Delivery._meta.db_table
    sql = (
        "SELECT MIN(id), MAX(id) FROM ("  # noqa: S608
        f"SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / %s AS part FROM {table} "
        "WHERE alert_id = %s AND channel = %s) AS numbered GROUP BY part ORDER BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [size, alert_id, channel])
        return [(int(first), int(last)) for first, last in cursor.fetchall()]


def _enqueue_batches(alert_id: int, ranges: dict[str, list[tuple[int, int]]]) -> None:
    from openbeat.delivery.tasks import deliveries_send

    for channel, channel_ranges in ranges.items():
        for first_id, last_id in channel_ranges:
            deliveries_send.enqueue(alert_id, channel, first_id, last_id)


def _enqueue_batch(alert_id: int, channel: str, first_id: int, last_id: int, *, at: datetime | None) -> bool:
    """Queue a batch again, deferred to `at` where the backend can defer; False if it cannot."""
    from openbeat.delivery.tasks import deliveries_send

    if at is None:
        transaction.on_commit(lambda: deliveries_send.enqueue(alert_id, channel, first_id, last_id))
        return True
    if not task_backends[deliveries_send.backend].supports_defer:
        return False
    deferred = deliveries_send.using(run_after=at)
    transaction.on_commit(lambda: deferred.enqueue(alert_id, channel, first_id, last_id))
    return True


# --- Sending one batch -------------------------------------------------------------------------------------


def batch_send(*, alert_id: int, channel: str, first_id: int, last_id: int, task_result_id: str = "") -> dict[str, int]:
    """Claim, decide, build, send and record one batch; returns counts of what happened (for the task log).

    `task_result_id` is the task run's own id (deliveries_send), kept on the lease so that the sweep can
    close the result if this worker dies."""
    now = timezone.now()
    in_batch = Delivery.objects.filter(alert_id=alert_id, channel=channel, pk__gte=first_id, pk__lte=last_id)
    _recover_range(alert_id=alert_id, channel=channel, first_id=first_id, last_id=last_id, now=now)
    lease, claimed = _lease_and_claim(
        alert_id=alert_id, channel=channel, first_id=first_id, last_id=last_id, now=now, task_result_id=task_result_id
    )
    counts: dict[str, int] = defaultdict(int)
    if lease is None:
        alert_finish_if_done(alert_id=alert_id)
        return dict(counts)
    lease.keep()
    try:
        alert = Alert.objects.get(pk=alert_id)
        # Read by the batch's range, not `pk IN (<the claimed ids>)`: a thousand parameters cost more to build
        # and send than the rows do. Rows in sending that another claim holds are left out here.
        mine = set(claimed)
        deliveries = [
            delivery
            for delivery in in_batch.filter(state=State.SENDING).select_related("subscriber").order_by("pk")
            if delivery.pk in mine
        ]
        for delivery in deliveries:
            delivery.alert = alert  # one Alert shared by the batch: select_related("alert") builds one per row
        to_send = _apply_rules(deliveries, alert=alert, now=now, counts=counts)
        if to_send:
            _send(to_send, channel=channel, counts=counts, lease=lease)
        _requeue_waiting(in_batch, alert_id=alert_id, channel=channel, first_id=first_id, last_id=last_id)
    except BaseException:
        # Left to expire rather than released: the sweep returns what it still holds and queues the batch
        # again a lease from now, so a batch that fails every time is not retried in a tight loop.
        lease.stop()
        raise
    lease.stop()
    lease.release(alert_id=alert_id, channel=channel, first_id=first_id, last_id=last_id)
    alert_finish_if_done(alert_id=alert_id)
    return dict(counts)


def _lease_and_claim(
    *, alert_id: int, channel: str, first_id: int, last_id: int, now: datetime, task_result_id: str
) -> tuple[_Lease | None, list[int]]:
    """Take a lease and claim the batch's due rows under it, in one transaction; no lease if none was due."""
    seconds = lease_seconds()
    with transaction.atomic():
        row = BatchLease.objects.create(
            alert_id=alert_id,
            channel=channel,
            first_id=first_id,
            last_id=last_id,
            task_result_id=task_result_id[:64],
            holder=f"{socket.gethostname()} pid {os.getpid()}"[:200],
            taken_at=now,
            renewed_at=now,
            expires_at=now + timedelta(seconds=seconds),
        )
        claimed = _claim(
            alert_id=alert_id, channel=channel, first_id=first_id, last_id=last_id, now=now, lease_id=row.pk
        )
        if not claimed:
            row.delete()
            return None, []
    return _Lease(row.pk, seconds), claimed


def _claim(
    *, alert_id: int, channel: str, first_id: int, last_id: int, now: datetime, lease_id: int | None = None
) -> list[int]:
    """Move the batch's due rows to sending in one conditional UPDATE; only this caller gets these ids.

    Each row records the lease it is claimed under. A row claimed for the first time gets its token here
    (122 random bits on PostgreSQL, 128 on SQLite, where Django keeps a UUID as 32 hex digits); a retry keeps
    the one it had."""
    table = Delivery._meta.db_table
    new_token = "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    sql = (
        f"UPDATE {table} SET state = %s, sent_at = %s, lease_id = %s, "  # noqa: S608
        f"token = COALESCE(token, {new_token}) "
        "WHERE alert_id = %s AND channel = %s AND id >= %s AND id <= %s AND state IN (%s, %s) "
        "AND (not_before IS NULL OR not_before <= %s) RETURNING id"
    )
    sent_at = connection.ops.adapt_datetimefield_value(now)
    params = [State.SENDING, sent_at, lease_id, alert_id, channel, first_id, last_id, *CLAIMABLE_STATES, sent_at]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def lease_seconds() -> float:
    return float(settings.DELIVERY_LEASE_SECONDS)


class _Lease:
    """This process's hold on a batch's claimed rows (its BatchLease row), kept while the process lives.

    A daemon thread renews it every third of the lease, whatever the sending loop is waiting for; the
    sending loop asks `held()` after recording each group and renews it itself if that thread has fallen
    half a lease behind. A renewal that finds the row gone means the sweep took the batch back: `lost`."""

    def __init__(self, pk: int, seconds: float) -> None:
        self.pk = pk
        self.seconds = seconds
        self.lost = False
        self._confirmed = time.monotonic()  # when the row was last known to be ours (monotonic clock)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def keep(self) -> None:
        """Start renewing in the background (the thread's first renewal is a third of a lease away).

        Not when the batch runs inside a caller's transaction (a task run inline): the lease row is not
        committed, so another connection would not find it; the sending loop renews it itself then."""
        if connection.in_atomic_block:
            return
        self._thread = threading.Thread(target=self._renew_until_stopped, name=f"lease-{self.pk}", daemon=True)
        self._thread.start()

    def _renew_until_stopped(self) -> None:
        try:
            while not self._stopping.wait(self.seconds / LEASE_RENEWALS):
                try:
                    if not self.renew():
                        return
                except DatabaseError:
                    # The database out of reach: try again next time; the lease lapses if it stays so.
                    logger.warning("renewing delivery lease %s failed", self.pk, exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()  # this thread's own connection

    def renew(self) -> bool:
        """Push the expiry a lease ahead; False (and `lost`) if the lease is gone."""
        if self.lost:
            return False
        asked = time.monotonic()
        now = timezone.now()
        expires = now + timedelta(seconds=self.seconds)
        if BatchLease.objects.filter(pk=self.pk).update(renewed_at=now, expires_at=expires):
            self._confirmed = max(self._confirmed, asked)
            return True
        self.lost = True
        logger.warning("delivery lease %s was taken back by the sweep: this batch stops sending", self.pk)
        return False

    def held(self) -> bool:
        """Whether the batch's rows are still ours; renews first if the last renewal is half a lease old.

        Not confirmed for a whole lease (the database out of reach) counts as lost: the sweep may have
        taken the batch back."""
        if not self.lost and time.monotonic() - self._confirmed > self.seconds / 2:
            try:
                self.renew()
            except DatabaseError:
                logger.warning("renewing delivery lease %s failed", self.pk, exc_info=True)
            if time.monotonic() - self._confirmed >= self.seconds:
                self.lost = True
        return not self.lost

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def release(self, *, alert_id: int, channel: str, first_id: int, last_id: int) -> int:
        """End the lease as the batch ends. Rows it still holds in sending (handed to the transport and never
        reported: a transport's bug) go back to created and the batch is queued again; returns how many."""
        with transaction.atomic():
            if self.lost or not BatchLease.objects.filter(pk=self.pk).delete()[0]:
                return 0  # the sweep took it back and returned its rows
            left = _return_rows(self.pk)
            if left:
                _enqueue_batch(alert_id, channel, first_id, last_id, at=None)
        if left:
            logger.warning(
                "batch of alert %s ended holding %s deliveries with no outcome: queued again", alert_id, left
            )
        return left


def _apply_rules(deliveries: list[Delivery], *, alert: Alert, now: datetime, counts: dict[str, int]) -> list[Delivery]:
    """The subscriber's rules at hand-off (delivery.rules): hold, digest or skip rows; return those to send."""
    from openbeat.delivery import rules

    decisions = rules.decide(deliveries=deliveries, alert=alert, now=now)
    to_send: list[Delivery] = []
    held: dict[datetime, list[int]] = defaultdict(list)
    digested: list[Delivery] = []
    skipped: dict[str, list[int]] = defaultdict(list)
    for delivery in deliveries:
        decision = decisions.get(delivery.pk)
        action = decision.action if decision is not None else "send"
        if action == "hold" and decision is not None and decision.not_before is not None:
            held[decision.not_before].append(delivery.pk)
        elif action == "digest":
            digested.append(delivery)
        elif action == "skip" and decision is not None:
            skipped[decision.reason[:60]].append(delivery.pk)
        else:
            to_send.append(delivery)
    with transaction.atomic():
        for not_before, ids in held.items():
            Delivery.objects.filter(pk__in=ids).update(state=State.CREATED, not_before=not_before, sent_at=None)
        if digested:
            ids = [d.pk for d in digested]
            Delivery.objects.filter(pk__in=ids).update(state=State.DIGESTED, sent_at=None)
            DigestItem.objects.bulk_create(
                [DigestItem(subscriber_id=d.subscriber_id, delivery=d) for d in digested if d.subscriber_id],
                ignore_conflicts=True,
            )
        for reason, ids in skipped.items():
            Delivery.objects.filter(pk__in=ids).update(state=State.SKIPPED, failure_reason=reason, sent_at=None)
    counts["held"] += sum(len(ids) for ids in held.values())
    counts["digested"] += len(digested)
    counts["skipped"] += sum(len(ids) for ids in skipped.values())
    return to_send


def _send(deliveries: list[Delivery], *, channel: str, counts: dict[str, int], lease: _Lease | None = None) -> None:
    from openbeat.delivery.transports import get_transport

    feed = _Feed(deliveries, channel=channel)
    transport = get_transport(channel)
    lease_id = lease.pk if lease is not None else None
    cursor = connection.cursor()
    held = True
    try:
        while held and not feed.exhausted:
            groups = transport.send_groups(feed)  # type: ignore[arg-type]  # one channel's messages
            try:
                for group in groups:
                    _record_group(group, channel=channel, counts=counts, cursor=cursor, lease_id=lease_id)
                    feed.recorded(group)
                    # Asking for the next group lets the transport have another message accepted: not once the
                    # sweep has taken the batch back (this process stalled for a whole lease).
                    if lease is not None and not lease.held():
                        held = False
                        if isinstance(groups, Generator):
                            groups.close()  # the messages under way are abandoned (transports.smtp)
                        break
            except Exception as error:
                # A bug in the transport, not an SMTP or Notify reply. Handed over but unrecorded: the message
                # that raised (one connection), or with parallel connections any whose outcome was lost with
                # the error. They are not sent again (a bug could repeat them all); the rest carry on.
                lost = feed.unrecorded() or feed.drain()
                logger.exception("the %s transport failed on %s message(s)", channel, len(lost))
                _technical_failure(lost, error=error, lease_id=lease_id)
                counts["technical-failure"] += len(lost)
    finally:
        cursor.close()
        transport.close()
    if not held:
        counts["lease-lost"] += 1
        return  # the rows not sent are another batch's now
    for delivery_id, failure in feed.failed.items():
        _technical_failure([delivery_id], error=failure, lease_id=lease_id)
    counts["technical-failure"] += len(feed.failed)
    # The builder leaves out a delivery with nowhere to go (an address removed since the rules ran).
    unaddressed = [d.pk for d in deliveries if d.pk not in feed.built and d.pk not in feed.failed]
    if unaddressed:
        Delivery.objects.filter(pk__in=unaddressed).update(
            state=State.SKIPPED, failure_reason="no address", sent_at=None
        )
        counts["skipped"] += len(unaddressed)


class _Feed:
    """The batch's messages for the transport, each built when a session is ready for the next one.

    The database is read once, before the first message (messages.iter_emails); building is then pure work
    on data in memory, done between the sessions' replies. A delivery whose message fails to build is kept
    in `failed` (a technical failure) and the rest go on. Whatever the transport took and has not reported
    on is known, for the error path."""

    def __init__(self, deliveries: list[Delivery], *, channel: str) -> None:
        from openbeat.delivery import messages

        self.failed: messages.Failures = {}
        build = messages.iter_emails if channel == Channel.EMAIL else messages.iter_sms
        self.source: Iterator[OutgoingEmail | OutgoingSms] = build(deliveries, failed=self.failed)
        self.exhausted = False
        self.taken: set[int] = set()
        self.built: set[int] = set()

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> OutgoingEmail | OutgoingSms:
        if self.exhausted:
            raise StopIteration
        try:
            message = next(self.source)
        except BaseException:
            self.exhausted = True
            raise
        self.built.add(message.delivery_id)
        self.taken.add(message.delivery_id)
        return message

    def recorded(self, group: list[Outcome]) -> None:
        self.taken.difference_update(outcome.delivery_id for outcome in group)

    def unrecorded(self) -> list[int]:
        ids = sorted(self.taken)
        self.taken.clear()
        return ids

    def drain(self) -> list[int]:
        """Everything not yet handed over (when the transport fails before taking anything)."""
        return [message.delivery_id for message in self]


def _record_group(
    group: list[Outcome], *, channel: str, counts: dict[str, int], cursor: Any, lease_id: int | None = None
) -> None:
    """Record what the transport reported together, committed at once, before it is told to go on.

    Successes (all but a few outcomes) are one plain SQL statement for the whole group: the ORM's per-call
    cost, and on PostgreSQL a commit per row, would otherwise be most of the pipeline's own time. An email
    success only moves a row still in sending; a failure only a row still under `lease_id` (a row the sweep
    gave to another batch is that batch's to record)."""
    succeeded = [outcome for outcome in group if outcome.ok]
    if succeeded:
        at = connection.ops.adapt_datetimefield_value(timezone.now())
        times = [at] if channel == Channel.SMS else [at, at]  # sent, and for email delivered
        rows = [value for o in succeeded for value in (o.delivery_id, o.provider_id[:100])]
        cursor.execute(_succeeded_sql(channel, len(succeeded)), [*times, *rows])
        counts["sending" if channel == Channel.SMS else "delivered"] += len(succeeded)
    for outcome in group:
        if not outcome.ok:
            _record_failure(outcome, counts=counts, lease_id=lease_id)


def _record_failure(outcome: Outcome, *, counts: dict[str, int], lease_id: int | None = None) -> None:
    now = timezone.now()
    row = Delivery.objects.filter(pk=outcome.delivery_id)
    if lease_id is not None:
        row = row.filter(lease_id=lease_id)
    error = outcome.error
    message = (error.message if error else "failed")[:300]
    reason = ((error.reason if error else "") or message)[:60]
    attempts = (row.values_list("attempts", flat=True).first() or 0) + 1
    if (error is not None and error.permanent) or attempts >= MAX_ATTEMPTS:
        row.update(
            state=State.PERMANENT_FAILURE, attempts=attempts, last_error=message, failure_reason=reason, sent_at=now
        )
        counts["permanent-failure"] += 1
    else:
        row.update(
            state=State.TEMPORARY_FAILURE,
            attempts=attempts,
            last_error=message,
            failure_reason=reason,
            not_before=now + BACKOFF[attempts - 1],
        )
        counts["temporary-failure"] += 1


@lru_cache(maxsize=64)
def _succeeded_sql(channel: str, size: int) -> str:
    """The UPDATE for `size` successes: the time(s), then (id, provider id) per row, as params.

    SMTP has no receipt: the server's acceptance is delivery (bounces come later, bounces.py). An SMS
    accepted by Notify is not yet delivered: its state is left as it is for Notify's callback to move on,
    so a callback that came first is not overwritten.

    The rows are joined to a VALUES list, not matched with `id IN (...)`: on PostgreSQL, `id IN (...) AND
    state = 'sending'` let the planner intersect the primary key with the partial index of sending rows,
    which it then scanned whole, dead entries and all, for every group (over 1 ms of the database server's
    time per group, against 0.3 ms for the join, which looks each row up by its key)."""
    table = Delivery._meta.db_table
    if channel == Channel.SMS:
        sets, only_sending = "sent_at = %s", ""
    else:
        sets = f"state = '{State.DELIVERED}', sent_at = %s, delivered_at = %s, last_error = ''"
        only_sending = f" AND {table}.state = '{State.SENDING}'"
    values = ", ".join(["(%s, %s)"] * size)
    return (
        f"UPDATE {table} SET provider_id = v.column2, {sets}, attempts = {table}.attempts + 1 "  # noqa: S608
        f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1{only_sending}"
    )


def _technical_failure(ids: Iterable[int], *, error: BaseException, lease_id: int | None = None) -> None:
    rows = Delivery.objects.filter(pk__in=list(ids))
    if lease_id is not None:
        rows = rows.filter(lease_id=lease_id)
    rows.update(
        state=State.TECHNICAL_FAILURE,
        attempts=F("attempts") + 1,
        last_error=f"{type(error).__name__}: {error}"[:300],
        failure_reason="technical failure",
    )


def _requeue_waiting(in_batch: Any, *, alert_id: int, channel: str, first_id: int, last_id: int) -> None:
    """Rows of this batch waiting for a time (retries, held by the rules): queue the batch for the earliest.

    One task, not one per time: that run sends what is due then and queues the next, so a batch has one
    follow-up at a time however many different times its rows wait for."""
    earliest = in_batch.filter(state__in=CLAIMABLE_STATES, not_before__isnull=False).aggregate(at=Min("not_before"))
    if earliest["at"] is not None:
        _enqueue_batch(alert_id, channel, first_id, last_id, at=earliest["at"])


# --- Finishing and recovering ------------------------------------------------------------------------------


def alert_finish_if_done(*, alert_id: int) -> bool:
    """Mark the alert sent when none of its deliveries is pending any more; True if it is (now) sent."""
    from openbeat.alerts.services import alert_mark_sent

    if Delivery.objects.filter(alert_id=alert_id, state__in=PENDING_STATES).exists():
        return False
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        return False
    if alert.state == Alert.State.SENDING:
        alert = alert_mark_sent(alert=alert)
    return alert.state == Alert.State.SENT


class WorkerLost(Exception):
    """What the sweep records on a batch's task result when the worker running it died (its lease expired)."""


def outbox_sweep(*, older_than: timedelta | None = None) -> int:
    """Take back the batches of workers that died: the scheduler runs this every DELIVERY_SWEEP_SECONDS.

    Each expired lease (or, with `older_than`, each not renewed for that long: a manual "these workers are
    gone") is deleted, its rows still in sending go back to created, its batch is queued again and its task
    result, left running by the dead worker, is marked failed. It reads only the lease table (a few rows,
    by its expiry index). Safe to run on several hosts at once: each lease is deleted by one of them.
    Returns the deliveries returned to the outbox."""
    now = timezone.now()
    dead = Q(expires_at__lt=now) if older_than is None else Q(renewed_at__lt=now - older_than)
    return sum(
        _lease_reclaim(lease, dead=dead, now=now, requeue=True)
        for lease in BatchLease.objects.filter(dead).order_by("expires_at")
    )


def _lease_reclaim(lease: BatchLease, *, dead: Q, now: datetime, requeue: bool) -> int:
    """Delete a dead lease, if it still is dead, and return its rows; the count returned (0 if not taken)."""
    with transaction.atomic():
        # The hand-over: deleted only if still dead now. A renewal that came first keeps it alive; another
        # sweeper that came first has done the rest.
        if not BatchLease.objects.filter(dead, pk=lease.pk).delete()[0]:
            return 0
        returned = _return_rows(lease.pk)
        if requeue:
            _enqueue_batch(lease.alert_id, lease.channel, lease.first_id, lease.last_id, at=None)
        closed = _task_result_abandon(
            lease.task_result_id,
            now=now,
            message=(
                f"the worker ({lease.holder}) stopped renewing its lease on {lease} at {lease.renewed_at:%H:%M:%S}: "
                f"{returned} deliveries were returned to the outbox and the batch was queued again"
            ),
        )
    logger.warning(
        "delivery lease %s (%s) expired: %s deliveries returned to the outbox, batch queued again%s",
        lease.pk,
        lease.holder,
        returned,
        ", its task result marked failed" if closed else "",
    )
    return returned


def _return_rows(lease_id: int) -> int:
    """The lease's rows still in sending without a provider id, back to created (and to no lease)."""
    return Delivery.objects.filter(lease_id=lease_id, state=State.SENDING, provider_id="").update(
        state=State.CREATED, sent_at=None, lease_id=None
    )


def _recover_range(*, alert_id: int, channel: str, first_id: int, last_id: int, now: datetime) -> int:
    """What `batch_send` takes back in its own range before claiming: the rows of expired leases over it (the
    sweep's work, done at once for a batch that is running anyway) and rows stale without a lease."""
    dead = Q(expires_at__lt=now)
    overlapping = BatchLease.objects.filter(
        dead, alert_id=alert_id, channel=channel, first_id__lte=last_id, last_id__gte=first_id
    )
    returned = sum(
        # This run claims its own range's rows: only a lease over another range needs its batch queued again.
        _lease_reclaim(lease, dead=dead, now=now, requeue=(lease.first_id, lease.last_id) != (first_id, last_id))
        for lease in overlapping
    )
    in_batch = Delivery.objects.filter(alert_id=alert_id, channel=channel, pk__gte=first_id, pk__lte=last_id)
    return returned + _recover_unleased(in_batch, cutoff=now - STALE_AFTER)


def _recover_unleased(deliveries: Any, *, cutoff: datetime) -> int:
    """Rows in sending since before `cutoff`, no provider id, under no lease that exists (claimed before
    leases, or their lease row is gone): back to created. A row claimed meanwhile has a new sent_at, which
    the UPDATE checks again, so it is never taken from a live batch."""
    unleased = Q(lease_id__isnull=True) | ~Q(lease_id__in=BatchLease.objects.values("pk"))
    return deliveries.filter(unleased, state=State.SENDING, provider_id="", sent_at__lt=cutoff).update(
        state=State.CREATED, sent_at=None, lease_id=None
    )


def _tasks_in_database() -> bool:
    """Whether batch tasks go through django-tasks-db, whose results this module can read and close."""
    from openbeat.delivery.tasks import deliveries_send

    try:
        from django_tasks_db.backend import DatabaseBackend
    except ImportError:  # pragma: no cover - installed with the project
        return False
    return isinstance(task_backends[deliveries_send.backend], DatabaseBackend)


def _task_result_abandon(result_id: str, *, now: datetime, message: str) -> bool:
    """Mark a batch's django-tasks-db result, left RUNNING by a worker that died, failed (WorkerLost), so the
    back office shows what happened instead of "running" forever; False if it was not running there."""
    if not result_id or not _tasks_in_database():
        return False
    from django_tasks_db.models import DBTaskResult

    try:
        key = uuid.UUID(result_id)
    except ValueError:
        return False
    return bool(
        DBTaskResult.objects.filter(pk=key, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: {message}\n",
        )
    )


def _task_results_orphaned(*, now: datetime) -> int:
    """deliveries_send results RUNNING for over a lease with no lease of theirs: their worker died in the
    moment between taking the task and its batch's claim, or between the end of the batch and recording it.
    Closed (WorkerLost), their batch queued again (harmless if it had finished: the claim finds nothing).
    Part of outbox_recover, not of the frequent sweep: it reads the task results table, which has no index
    for it. Returns how many."""
    if not _tasks_in_database():
        return 0
    from django_tasks_db.models import DBTaskResult

    from openbeat.delivery.tasks import deliveries_send

    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING,
        task_path=deliveries_send.module_path,
        backend_name=deliveries_send.backend,
        started_at__lt=now - timedelta(seconds=lease_seconds()),
    ).values_list("pk", "args_kwargs")
    held = set(BatchLease.objects.exclude(task_result_id="").values_list("task_result_id", flat=True))
    closed = 0
    for result_id, args_kwargs in running:
        if str(result_id) in held:
            continue
        args = (args_kwargs or {}).get("args") or []
        with transaction.atomic():
            if _task_result_abandon(
                str(result_id), now=now, message="the worker running this batch stopped with no lease held"
            ):
                closed += 1
                if len(args) == 4:
                    _enqueue_batch(int(args[0]), str(args[1]), int(args[2]), int(args[3]), at=None)
    if closed:
        logger.warning("%s delivery task results left running by a dead worker marked failed", closed)
    return closed


def outbox_recover(*, older_than: timedelta | None = None) -> int:
    """The sweep, and the slow safety net under it: the `outbox_recover` command, and the scheduler every
    STALE_AFTER.

    After `outbox_sweep`: deliveries_send task results left running with no lease are closed and their
    batches queued again (_task_results_orphaned); rows in sending with no live lease for `older_than`
    (default STALE_AFTER) go back to created; and the batches of stalled alerts are queued again: alerts
    with due rows (created or temporary-failure, not held), no lease, and nothing sent for `older_than` (the
    batch tasks that held them were lost, or never queued). Queuing a batch twice is harmless: the claim
    hands each row to one task.
    An `older_than` shorter than a lease also takes rows from batches that may still be running: only for
    when no worker is. Returns the rows recovered.
    """
    now = timezone.now()
    recovered = outbox_sweep(older_than=older_than)
    _task_results_orphaned(now=now)
    cutoff = now - (STALE_AFTER if older_than is None else older_than)
    recovered += _recover_unleased(Delivery.objects.all(), cutoff=cutoff)
    due = Q(state__in=CLAIMABLE_STATES) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    sending = Alert.objects.filter(state=Alert.State.SENDING, sending_at__lte=cutoff).values_list("pk", flat=True)
    for alert_id in sending:
        if BatchLease.objects.filter(alert_id=alert_id).exists():
            continue  # a batch of it is running
        deliveries = Delivery.objects.filter(alert_id=alert_id)
        last_sent = deliveries.aggregate(last=Max("sent_at"))["last"]
        if last_sent is not None and last_sent > cutoff:
            continue  # still moving
        if not deliveries.filter(due).exists():
            alert_finish_if_done(alert_id=alert_id)
            continue
        with transaction.atomic():
            for channel in Channel:
                for first_id, last_id in batch_ranges(alert_id=alert_id, channel=str(channel)):
                    if deliveries.filter(due, channel=channel, pk__gte=first_id, pk__lte=last_id).exists():
                        _enqueue_batch(alert_id, str(channel), first_id, last_id, at=None)
    if recovered:
        logger.warning("outbox_recover: %s deliveries stuck in sending returned to created", recovered)
    return recovered
