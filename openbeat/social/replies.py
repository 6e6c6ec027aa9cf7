"""Answering the shared inbox: a reply written on an inbox item's page is sent to the network as a reply in the
item's thread, at most once, as a post is (services.py's module docstring): the reply is written with its
idempotency key, and before each network call it is put in SENDING with its attempt counted, in a committed
transaction. A worker that dies after that leaves it in SENDING; once its lease has passed the dispatcher hands
it on again and the worker first asks the network for it (`find_post`, with the item as parent) and only sends
it if it is not there. The rule for what follows an error (`services.after_error`), the backoff and the network
calls (`services.send_once`) are the posts' own.

Who may reply is who may handle the item (inbox.may_handle: the account's division, or force-wide). The reply is
checked against the network's limits and the force's legal patterns (each match ticked by the replier). The
reply's text is the force's own words and goes in the ledger; the resident's handle and text never go in the
ledger, the audit log or a log line. On Mastodon, which tells only the accounts a status names, the reply is sent
with the resident's handle first (connectors' reply_mention): added when sent, not stored with the text.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from openbeat.audit.services import log_action
from openbeat.core.tasks import enqueue_with_commit
from openbeat.core.users import StaffUser
from openbeat.social import legal
from openbeat.social.connectors.base import ConnectorError, Outgoing, Posted, with_mention
from openbeat.social.inbox import _division, may_handle
from openbeat.social.ledger import ledger_append
from openbeat.social.models import InboxItem, InboxReply, SocialAccount
from openbeat.social.services import (
    GAVE_UP,
    LOOKUP_MARGIN,
    AfterError,
    SendFailed,
    _keep_refreshed_credentials,
    after_error,
    backoff_after,
    connector_of,
    notify_reconnect,
    offline_connector,
    posting_lease,
    previews,
    send_once,
)

logger = logging.getLogger(__name__)

R = InboxReply.State


# --- Writing -----------------------------------------------------------------------------------------------


def reply_mention(item: InboxItem) -> str:
    """The handle a reply to `item` starts with on its network ("" but on Mastodon: connectors' reply_mention)."""
    return offline_connector(item.account).reply_mention(item.author)


def reply_as_sent(item: InboxItem, text: str) -> str:
    """`text` as a reply to `item` goes out: with the author's handle first where the network needs it."""
    return with_mention(reply_mention(item), text)


def reply_count(item: InboxItem, text: str) -> tuple[int, int]:
    """The length of `text` as sent in reply to `item`, as its network counts it, and the network's limit."""
    connector = offline_connector(item.account)
    sent = with_mention(connector.reply_mention(item.author), text)
    return connector.length(sent), connector.limits.max_chars


def reply_problems(item: InboxItem, text: str) -> list[str]:
    """Why the item's network would refuse `text` as a reply to it (the composer's checks: length, bytes)."""
    (preview,) = previews(
        text=reply_as_sent(item, text),
        link="",
        accounts=[item.account],
        variants={},
        image_alt="",
        has_image=False,
        reply=True,
    )
    return preview.problems


def reply_send_task() -> Any:
    from openbeat.social.tasks import reply_send_task as task

    return task


def _ledger_data(reply: InboxReply, **extra: Any) -> dict[str, Any]:
    account = reply.item.account
    return {
        "reply": reply.pk,
        "inbox_item": reply.item_id,
        "account": str(account),
        "network": account.network,
        "text": reply.text,
        "text_sha256": hashlib.sha256(reply.text.encode()).hexdigest(),
        **extra,
    }


def _mark_queued(reply_id: int, *, due_at: datetime, now: datetime) -> None:
    """Once the transaction that queued the task commits, record the reply as queued, so that the dispatcher
    does not queue it again while it waits for a worker (as services._mark_queued for posts)."""
    transaction.on_commit(
        lambda: InboxReply.objects.filter(pk=reply_id, state__in=[R.QUEUED, R.SENDING], next_attempt_at=due_at).update(
            queued_at=now
        )
    )


def inbox_reply(
    *,
    item: InboxItem,
    actor: StaffUser,
    text: str,
    confirmed_warnings: set[str],
    mark_done: bool = True,
    request: HttpRequest | None = None,
) -> InboxReply:
    """Answer `item` on its network: checked, recorded (ledger and audit) and queued to be sent after the commit.
    Every legal warning the text raises must be among `confirmed_warnings` (their keys); `mark_done`: the item
    is marked done once the reply is sent."""
    if not may_handle(actor, item):
        raise PermissionDenied("You cannot reply to this item")
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter your reply"})
    problems = reply_problems(item, text)
    if problems:
        raise ValidationError({"text": problems})
    if item.account.status == SocialAccount.Status.DISCONNECTED:
        raise ValidationError({"text": f"{item.account} is not connected: connect it before replying"})
    labels = legal.require_confirmed(legal.warnings_for_texts([text]), confirmed_warnings, "You")
    now = timezone.now()
    with transaction.atomic():
        reply = InboxReply.objects.create(
            item=item,
            text=text,
            written_by=actor,
            confirmed_warnings=labels,
            mark_done=mark_done,
            next_attempt_at=now,
        )
        ledger_append(action="reply_queued", actor=actor, data=_ledger_data(reply, confirmed_warnings=labels))
        log_action(
            "social.inbox.reply",
            actor=actor,
            target=item,
            data={"reply": reply.pk, "confirmed_warnings": labels, "mark_done": mark_done},
            request=request,
            division=_division(item),
        )
        enqueue_with_commit(reply_send_task(), reply.pk)
        _mark_queued(reply.pk, due_at=now, now=now)
    return reply


# --- Sending -----------------------------------------------------------------------------------------------


def _save(reply: InboxReply, **changes: Any) -> None:
    """Write the outcome of a network call, only if the reply is still ours (SENDING)."""
    for name, value in changes.items():
        setattr(reply, name, value)
    InboxReply.objects.filter(pk=reply.pk, state=R.SENDING).update(**changes, updated_at=timezone.now())


def _claim(reply_id: int, now: datetime) -> tuple[InboxReply, bool] | None:
    """Take the reply for one try, committed before any network call (the idempotency record): a queued one goes
    to SENDING with its attempt counted; one already SENDING (a dead worker's, an unknown outcome's) is to be
    looked up first. Both get the lease. None if it is not due, is held by another worker, or must wait for its
    account to be reconnected."""
    with transaction.atomic():
        reply = (
            InboxReply.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("item", "item__account", "item__account__account", "written_by")
            .filter(pk=reply_id, state__in=[R.QUEUED, R.SENDING])
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if reply is None:
            return None
        account = reply.item.account
        if account.status != SocialAccount.Status.CONNECTED:
            reply.state = R.NEEDS_ATTENTION
            reply.last_error = f"The account needs reconnecting: {account.status_reason or 'not connected'}"[:500]
            reply.queued_at = None
            reply.save(update_fields=["state", "last_error", "queued_at", "updated_at"])
            return None
        looking_up = reply.state == R.SENDING
        if not looking_up:
            reply.state = R.SENDING
            reply.attempts += 1
            reply.sending_started_at = now
        reply.next_attempt_at = now + posting_lease()  # after it, the worker is taken for dead
        reply.queued_at = None
        reply.save(
            update_fields=["state", "attempts", "sending_started_at", "next_attempt_at", "queued_at", "updated_at"]
        )
    return reply, looking_up


def _sent(reply: InboxReply, posted: Posted) -> str:
    """Record the reply the network took, with its ledger entry and audit row, and mark the item done if asked.
    Only a reply still ours (SENDING) is recorded."""
    now = timezone.now()
    with transaction.atomic():
        if not InboxReply.objects.select_for_update().filter(pk=reply.pk, state=R.SENDING).exists():
            return str(InboxReply.objects.get(pk=reply.pk).state)
        reply.state = R.SENT
        reply.remote_id = posted.remote_id[:200]
        reply.url = posted.url[:500]
        reply.sent_at = posted.posted_at or now
        reply.last_error = ""
        reply.next_attempt_at = None
        reply.save(
            update_fields=["state", "remote_id", "url", "sent_at", "last_error", "next_attempt_at", "updated_at"]
        )
        item = (
            InboxItem.objects.select_for_update(of=("self",))  # the group is nullable: an outer join
            .select_related("account__account__group")
            .get(pk=reply.item_id)
        )
        ledger_append(
            action="reply_sent", actor=None, data=_ledger_data(reply, remote_id=reply.remote_id, url=reply.url)
        )
        log_action(
            "social.inbox.reply_sent",
            actor=None,
            target=item,
            data={"reply": reply.pk, "url": reply.url},
            division=_division(item),
        )
        if reply.mark_done and item.state != InboxItem.State.DONE:
            previous = item.state
            item.state = InboxItem.State.DONE
            item.done_at = now
            item.save(update_fields=["state", "done_at"])
            log_action(
                "social.inbox.done",
                actor=None,
                target=item,
                data={"from": previous, "reply": reply.pk},
                division=_division(item),
            )
    return R.SENT


def _failed(reply: InboxReply, error: ConnectorError, *, looking_up: bool, now: datetime) -> str:
    """Leave the reply as the shared rule says (services.after_error), with the network's words for staff."""
    message = error.message[:500]
    decision = after_error(error, attempts=reply.attempts, looking_up=looking_up)
    with transaction.atomic():
        if decision is AfterError.RECONNECT:
            from openbeat.social.results import mark_needs_reconnecting

            account = reply.item.account
            mark_needs_reconnecting(account, error, during="inbox_reply")
            _save(reply, state=R.NEEDS_ATTENTION, last_error=message, next_attempt_at=None)
            notify_reconnect(account, error, also=reply.written_by.email)
            return R.NEEDS_ATTENTION
        if decision is AfterError.LOOK_UP:  # it may be on the network: looked up before any new attempt
            _save(reply, last_error=message, next_attempt_at=now + backoff_after(reply.attempts, error))
            return R.SENDING
        if decision is AfterError.RETRY:
            _save(reply, state=R.QUEUED, last_error=message, next_attempt_at=now + backoff_after(reply.attempts, error))
            return R.QUEUED
        _save(reply, state=R.FAILED, last_error=message, next_attempt_at=None)
        log_action(
            "social.inbox.reply_failed",
            actor=None,
            target=reply.item,
            data={"reply": reply.pk, "kind": str(error.kind)},
            division=_division(reply.item),
        )
        return R.FAILED


def reply_send(*, reply_id: int, now: datetime | None = None, stop_before_network: bool = False) -> str:
    """Send one reply, at most once whatever happens (see the module's docstring). Returns its state.

    `stop_before_network` stops after the idempotency record is committed: tests use it to stand for a worker
    that died there."""
    now = now or timezone.now()
    claimed = _claim(reply_id, now)
    if claimed is None:
        state = InboxReply.objects.filter(pk=reply_id).values_list("state", flat=True).first()
        return str(state or "missing")
    reply, looking_up = claimed
    if stop_before_network:
        return R.SENDING
    account = reply.item.account
    connector = connector_of(account)
    outcome = send_once(
        connector,
        Outgoing(
            text=reply.text,
            idempotency_key=str(reply.idempotency_key),
            in_reply_to=reply.item.remote_id,
            mention=reply_mention(reply.item),
        ),
        looking_up=looking_up,
        since=(reply.sending_started_at or now) - LOOKUP_MARGIN,
        attempts=reply.attempts,
        new_attempt=lambda: _save(reply, attempts=reply.attempts + 1, sending_started_at=now),
        after_call=lambda: _keep_refreshed_credentials(account, connector),
    )
    if isinstance(outcome, SendFailed):
        logger.info("Inbox reply %s: %s (%s)", reply.pk, outcome.error.kind, outcome.error.code)
        return _failed(reply, outcome.error, looking_up=outcome.during_lookup, now=now)
    if outcome == GAVE_UP:
        _save(reply, state=R.FAILED, last_error=reply.last_error or "Gave up after several tries")
        return R.FAILED
    assert isinstance(outcome, Posted)
    return _sent(reply, outcome)


def replies_due(now: datetime | None = None, *, limit: int = 500) -> list[int]:
    """Replies to try now: queued ones whose backoff has passed, and ones in SENDING whose lease or backoff ran
    out (a dead worker, an unknown outcome); not those queued less than a lease ago and not yet taken."""
    now = now or timezone.now()
    return list(
        InboxReply.objects.filter(state__in=[R.QUEUED, R.SENDING], next_attempt_at__lte=now)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=now - posting_lease()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def replies_dispatch(now: datetime | None = None, *, limit: int = 500) -> int:
    """Queue a send task per due reply (the scheduler's dispatch_due_social_posts, every minute)."""
    now = now or timezone.now()
    due = replies_due(now, limit=limit)
    for reply_id in due:
        InboxReply.objects.filter(pk=reply_id).update(queued_at=now)
        reply_send_task().enqueue(reply_id)
    return len(due)


def replies_resume(account: SocialAccount, now: datetime) -> int:
    """Replies that waited for this account's reconnection are due again: one whose last attempt may have
    reached the network (it has started one) is looked up first, the others are sent."""
    waiting = InboxReply.objects.filter(item__account=account, state=R.NEEDS_ATTENTION)
    ids = list(waiting.values_list("pk", flat=True))
    waiting.filter(sending_started_at__isnull=False).update(state=R.SENDING, next_attempt_at=now, last_error="")
    waiting.filter(sending_started_at__isnull=True).update(state=R.QUEUED, next_attempt_at=now, last_error="")
    for reply_id in ids:
        enqueue_with_commit(reply_send_task(), reply_id)
        _mark_queued(reply_id, due_at=now, now=now)
    return len(ids)


def replies_for(item: InboxItem) -> list[InboxReply]:
    """The item's replies, each with `as_sent`: its text as the network was (or will be) sent it."""
    found = list(item.replies.select_related("written_by"))
    mention = reply_mention(item)
    for reply in found:
        reply.as_sent = with_mention(mention, reply.text)  # type: ignore[attr-defined]
    return found
