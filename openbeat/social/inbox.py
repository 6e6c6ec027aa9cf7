"""The shared inbox: replies to and mentions of the force's accounts, fetched every ten minutes, assigned to a
member of the account's division, answered on the network (replies.py) and marked done.

A mention containing one of the force's trigger words is escalated the way an In the Know reply is: the same
word list and matching (delivery.feedback.triggers_in) and the same on-duty contacts (DeliverySettings' duty
email and SMS), told with a link to the item, never its text nor its author. Authors' handles and texts are
personal data: never logged nor put in the audit log; done items are deleted after SOCIAL_INBOX_RETENTION_DAYS.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send, sms_send
from openbeat.core.paths import absolute_url
from openbeat.core.tasks import enqueue_with_commit
from openbeat.core.users import RequestUser, StaffUser
from openbeat.social.connectors.base import ConnectorError, ErrorKind, Mention
from openbeat.social.models import InboxItem, PostTarget, SocialAccount
from openbeat.social.selectors import accounts_for, may_use_account

logger = logging.getLogger(__name__)

PERMISSION = "social.add_post"  # who writes an account's posts handles the replies to them
DEFAULT_RETENTION_DAYS = 365
ESCALATE_PURPOSE = "social.inbox.urgent"


# --- Reads -------------------------------------------------------------------------------------------------


def inbox_for(user: RequestUser) -> QuerySet[InboxItem]:
    """Items of the accounts in the user's division scope (HQ: all)."""
    if not user.has_perm(PERMISSION):
        return InboxItem.objects.none()
    return InboxItem.objects.filter(account__in=accounts_for(user)).select_related(
        "account", "account__account", "assignee", "in_reply_to"
    )


def may_handle(user: RequestUser, item: InboxItem) -> bool:
    return bool(user.is_active and user.has_perm(PERMISSION) and may_use_account(user, item.account))


def team_for(item: InboxItem) -> list[StaffUser]:
    """Who an item may be assigned to: active staff who may handle it (the account's division, or force-wide)."""
    users = get_user_model().objects.with_perm(PERMISSION, backend="openbeat.staff.auth.ThrottledModelBackend")
    return [u for u in users.filter(is_active=True).order_by("username") if may_handle(u, item)]


# --- Fetching ----------------------------------------------------------------------------------------------


def _escalate(item: InboxItem) -> None:
    """Tell the on-duty team (In the Know's duty contacts) of an escalated item: a link, never the text."""
    from openbeat.delivery.models import DeliverySettings

    duty = DeliverySettings.load()
    context = {
        "item": item,
        "account": item.account,
        "link": absolute_url(reverse("social_staff:inbox_item", args=[item.pk])),
    }
    if duty.duty_email:
        email_send(
            to=duty.duty_email, template="social/email/urgent_mention", context=context, purpose=ESCALATE_PURPOSE
        )
    if duty.duty_sms:
        sms_send(to=duty.duty_sms, template="social/sms/urgent_mention", context=context, purpose=ESCALATE_PURPOSE)
    if not (duty.duty_email or duty.duty_sms):
        logger.warning("Escalated inbox item %s: no on-duty email or SMS is set in Delivery settings", item.pk)
    log_action(
        "social.inbox.escalate",
        actor=None,
        target=item,
        data={"email": bool(duty.duty_email), "sms": bool(duty.duty_sms)},
    )


def _store(account: SocialAccount, mention: Mention) -> InboxItem | None:
    from openbeat.delivery.feedback import triggers_in

    found = triggers_in(mention.text)
    reply_to = None
    if mention.in_reply_to:
        reply_to = PostTarget.objects.filter(account=account, remote_id=mention.in_reply_to).first()
    with transaction.atomic():
        item, created = InboxItem.objects.get_or_create(
            account=account,
            remote_id=mention.remote_id[:200],
            defaults={
                "author": mention.author[:200],
                "text": mention.text,
                "url": mention.url[:500],
                "created_at": mention.created_at,
                "in_reply_to": reply_to,
                "escalated": bool(found),
                "matched_words": ", ".join(found)[:200],
            },
        )
        if created and item.escalated:
            _escalate(item)
    return item if created else None


def mentions_fetch(*, account_id: int) -> str:
    """Store the account's new replies and mentions (since the newest stored). Returns what happened."""
    from openbeat.social.results import mark_needs_reconnecting
    from openbeat.social.services import _keep_refreshed_credentials, connector_of

    account = SocialAccount.objects.select_related("account").filter(pk=account_id).first()
    if account is None or account.status != SocialAccount.Status.CONNECTED:
        return "skipped"
    since: datetime | None = account.inbox_items.aggregate(newest=Max("created_at"))["newest"]
    connector = connector_of(account)
    try:
        mentions = connector.mentions(since=since)
    except ConnectorError as error:
        if error.kind == ErrorKind.REVOKED:
            mark_needs_reconnecting(account, error)
        logger.warning("Social mentions for account %s failed (%s)", account.pk, error.kind)
        return f"failed: {error.kind}"
    finally:
        _keep_refreshed_credentials(account, connector)
    stored = [item for item in (_store(account, m) for m in mentions) if item is not None]
    return f"{len(stored)} new, {sum(i.escalated for i in stored)} escalated"


def mentions_dispatch() -> int:
    """Queue one mentions task per connected account (the scheduler's fetch_social_results, every 10 minutes)."""
    from openbeat.social.tasks import mentions_fetch_task

    accounts = list(SocialAccount.objects.filter(status=SocialAccount.Status.CONNECTED).values_list("pk", flat=True))
    for account_id in accounts:
        enqueue_with_commit(mentions_fetch_task, account_id)
    return len(accounts)


# --- Handling ----------------------------------------------------------------------------------------------


def _division(item: InboxItem) -> object:
    group = item.account.account.group
    return group.division if group is not None else None


def inbox_assign(
    *, item: InboxItem, assignee: StaffUser | None, actor: StaffUser, request: HttpRequest | None = None
) -> InboxItem:
    """Give an item to a member of its account's team (None: back to new)."""
    if not may_handle(actor, item):
        raise PermissionDenied("You cannot handle this item")
    if assignee is not None and not may_handle(assignee, item):
        raise PermissionDenied("That person cannot handle this item")
    with transaction.atomic():
        item.assignee = assignee
        item.state = InboxItem.State.ASSIGNED if assignee is not None else InboxItem.State.NEW
        item.done_at = None
        item.save(update_fields=["assignee", "state", "done_at"])
        log_action(
            "social.inbox.assign",
            actor=actor,
            target=item,
            data={"assignee": assignee.get_username() if assignee is not None else None},
            request=request,
            division=_division(item),
        )
    return item


def inbox_done(*, item: InboxItem, actor: StaffUser, request: HttpRequest | None = None) -> InboxItem:
    if not may_handle(actor, item):
        raise PermissionDenied("You cannot handle this item")
    with transaction.atomic():
        previous = item.state
        item.state = InboxItem.State.DONE
        item.done_at = timezone.now()
        item.save(update_fields=["state", "done_at"])
        log_action(
            "social.inbox.done",
            actor=actor,
            target=item,
            data={"from": previous},
            request=request,
            division=_division(item),
        )
    return item


def inbox_prune(now: datetime | None = None) -> int:
    """Delete done items older than SOCIAL_INBOX_RETENTION_DAYS (personal data kept no longer than needed)."""
    days = int(getattr(settings, "SOCIAL_INBOX_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = InboxItem.objects.filter(state=InboxItem.State.DONE, done_at__lt=cutoff).delete()
    return deleted
