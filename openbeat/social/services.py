"""Writes for social media publishing: accounts, composing, approving, posting, deleting.

Posting (`targets_send`, `target_send` for one) is the part that must never post twice. Before any network call
a batch's targets are put in POSTING with their attempts counted, in one committed transaction that skips rows
another worker holds: the idempotency record. The calls run outside any transaction; what the network took is
recorded together (targets, ledger entries chained in order, audit rows) at the end of the batch or every
RECORD_EVERY seconds. A worker that dies after the claim leaves its targets in POSTING; once `next_attempt_at` (a
lease, renewed by a slow batch) has passed the dispatcher hands them on again, and the worker first asks the
network for the post (`find_post`) and only posts again if there is none. An unknown outcome (a timeout after
sending) is handled the same way. The connectors never retry; what happens next is decided here from the error's
kind (`after_error`). Inbox replies (replies.py) are sent the same way, through the same `send_once` and
`after_error`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from openbeat.audit.services import audit_entry, log_action, log_actions
from openbeat.core.messaging import email_send
from openbeat.core.paths import absolute_url
from openbeat.core.tasks import enqueue_with_commit
from openbeat.core.uploads import UploadRejected, clean_image, private_file, random_name, store_bytes
from openbeat.core.users import RequestUser, StaffUser
from openbeat.social import legal
from openbeat.social.connectors import connector_for
from openbeat.social.connectors.base import (
    AccountInfo,
    Connector,
    ConnectorError,
    ErrorKind,
    Image,
    Limits,
    Outgoing,
    Posted,
)
from openbeat.social.ledger import ledger_append, ledger_append_many
from openbeat.social.models import Approval, Post, PostTarget, SocialAccount, SocialSettings
from openbeat.social.selectors import may_use_account
from openbeat.staff.scope import scope_for

logger = logging.getLogger(__name__)

IMAGE_FOLDER = "social"
IMAGE_MAX_BYTES = 8 * 1024 * 1024
BACKOFF_MINUTES = [1, 5, 15, 60]
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
# How long one attempt may take before its worker is taken for dead and the post looked up (the default of
# settings.SOCIAL_POSTING_LEASE_SECONDS).
STUCK_AFTER = timedelta(minutes=10)


def posting_lease() -> timedelta:
    return timedelta(seconds=settings.SOCIAL_POSTING_LEASE_SECONDS)


# find_post looks this far before the attempt started, for clocks that disagree.
LOOKUP_MARGIN = timedelta(minutes=5)
RECONNECT_PURPOSE = "social.reconnect"

S = PostTarget.State


class SocialPermissionError(PermissionDenied):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Accounts ----------------------------------------------------------------------------------------------


def _can_manage(user: RequestUser, account: SocialAccount | None = None) -> bool:
    if not user.has_perm("social.manage_socialaccount"):
        return False
    return account is None or may_use_account(user, account)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
DEMO_NOT_LOCAL = (
    "This is a demo account: it talks only to its network's stand-in on this machine (http://127.0.0.1:port), "
    "never to the real network."
)


def is_local_address(url: str) -> bool:
    """Whether `url` is a plain http(s) address on this machine's loopback interface, where the stand-ins run
    (no user part: http://127.0.0.1:8701@example.com is example.com)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and parts.username is None
        and parts.password is None
        and parts.hostname in LOCAL_HOSTS
    )


def connector_of(account: SocialAccount) -> Connector:
    """The account's connector. A demo account's is refused unless its server is a local stand-in: with an empty
    or real address its calls (and its demo credentials) would go to the real network."""
    from openbeat.social.credentials import decrypt_credentials

    if account.is_demo and not is_local_address(account.base_url):
        raise ConnectorError(DEMO_NOT_LOCAL, kind=ErrorKind.REJECTED, code="demo_not_local")
    credentials = decrypt_credentials(account.credentials) if account.credentials else {}
    return connector_for(account.network)(base_url=account.base_url, credentials=credentials)


def offline_connector(account: SocialAccount) -> Connector:
    """The account's connector without its credentials, for what asks nothing of the network: a text's length as
    the network counts it, the handle a reply names."""
    return connector_for(account.network)(base_url=account.base_url, credentials={})


def _keep_refreshed_credentials(account: SocialAccount, connector: Connector) -> None:
    """Save what the network renewed during a call (Bluesky's session tokens), merged so that a value the network
    answered empty never replaces the stored one."""
    if not connector.credentials_updated:
        return
    from openbeat.social.credentials import decrypt_credentials, encrypt_credentials, merge_credentials

    with transaction.atomic():
        locked = SocialAccount.objects.select_for_update().get(pk=account.pk)
        old = decrypt_credentials(locked.credentials) if locked.credentials else {}
        locked.credentials = encrypt_credentials(merge_credentials(old, connector.credentials_updated))
        locked.save(update_fields=["credentials"])
    # Saved: the connector goes on with them, and a later call that renews nothing writes nothing.
    connector.credentials = merge_credentials(connector.credentials, connector.credentials_updated)
    connector.credentials_updated = {}
    account.credentials = locked.credentials


@contextmanager
def connected(account: SocialAccount) -> Iterator[Connector]:
    """The account's connector, for one or more calls; whatever the network renewed during them (a refreshed
    session or token) is saved afterwards, whether the calls succeeded or failed. Every connector call goes
    through this (or a batch's shared connectors, saved after each call)."""
    connector = connector_of(account)
    try:
        yield connector
    finally:
        _keep_refreshed_credentials(account, connector)


def account_connect(
    *,
    actor: StaffUser,
    account: Any,
    network: str,
    base_url: str = "",
    requires_approval: bool = True,
    corporate: bool = False,
    request: HttpRequest | None = None,
) -> SocialAccount:
    """Make `account` (an insights.Account) postable on `network`; disconnected until its credentials work."""
    if not _can_manage(actor) or not scope_for(actor).allows(account, "group__division"):
        raise SocialPermissionError("You cannot connect this account")
    if SocialAccount.objects.filter(account=account).exists():
        raise ValidationError({"account": "This account is already connected"})
    social = SocialAccount.objects.create(
        account=account,
        network=network,
        base_url=base_url,
        requires_approval=requires_approval,
        corporate=corporate,
    )
    log_action(
        "social.account.connect",
        actor=actor,
        target=social,
        data={"network": network, "requires_approval": requires_approval, "corporate": corporate},
        request=request,
    )
    return social


def account_update(
    *,
    actor: StaffUser,
    social_account: SocialAccount,
    base_url: str,
    requires_approval: bool,
    corporate: bool,
    request: HttpRequest | None = None,
) -> SocialAccount:
    if not _can_manage(actor, social_account):
        raise SocialPermissionError("You cannot change this account")
    if social_account.is_demo and not is_local_address(base_url):
        raise ValidationError({"base_url": DEMO_NOT_LOCAL})
    social_account.base_url = base_url
    social_account.requires_approval = requires_approval
    social_account.corporate = corporate
    social_account.save(update_fields=["base_url", "requires_approval", "corporate"])
    log_action(
        "social.account.update",
        actor=actor,
        target=social_account,
        data={"requires_approval": requires_approval, "corporate": corporate},
        request=request,
    )
    return social_account


def account_credentials_set(
    *,
    actor: StaffUser,
    social_account: SocialAccount,
    credentials: dict[str, str],
    request: HttpRequest | None = None,
) -> SocialAccount:
    """Store new credentials encrypted (fields left empty keep their old value), then test them. The audit
    entry names the fields changed, never their values."""
    from openbeat.social.credentials import decrypt_credentials, encrypt_credentials, merge_credentials

    if not _can_manage(actor, social_account):
        raise SocialPermissionError("You cannot change this account")
    old = decrypt_credentials(social_account.credentials) if social_account.credentials else {}
    merged = merge_credentials(old, credentials)
    social_account.credentials = encrypt_credentials(merged)
    social_account.save(update_fields=["credentials"])
    log_action(
        "social.account.credentials",
        actor=actor,
        target=social_account,
        data={"fields": sorted(k for k, v in credentials.items() if v)},
        request=request,
    )
    account_test(actor=actor, social_account=social_account, request=request)
    return social_account


def account_test(
    *, actor: StaffUser, social_account: SocialAccount, request: HttpRequest | None = None
) -> AccountInfo | ConnectorError:
    """'Test connection': ask the network who the credentials are. Connected on success (and posts that waited
    for a reconnection are taken up again); otherwise the account needs reconnecting, with the reason."""
    if not _can_manage(actor, social_account):
        raise SocialPermissionError("You cannot test this account")
    now = timezone.now()
    result: AccountInfo | ConnectorError
    try:
        with connected(social_account) as connector:
            result = connector.account_info()
    except ConnectorError as error:
        result = error
        social_account.status = SocialAccount.Status.NEEDS_RECONNECTING
        social_account.status_reason = error.message[:300]
    else:
        social_account.status = SocialAccount.Status.CONNECTED
        social_account.status_reason = ""
        social_account.handle = result.handle[:200]
    social_account.last_tested_at = now
    social_account.save(update_fields=["status", "status_reason", "handle", "last_tested_at"])
    log_action(
        "social.account.test",
        actor=actor,
        target=social_account,
        data={"ok": isinstance(result, AccountInfo), "status": social_account.status},
        request=request,
    )
    if isinstance(result, AccountInfo):
        from openbeat.social.replies import replies_resume

        _resume_waiting(social_account, now)
        replies_resume(social_account, now)
    return result


def _resume_waiting(social_account: SocialAccount, now: datetime) -> None:
    """Targets that waited for this account's reconnection go back to POSTING, due now: `target_send` looks each
    one up first (its last attempt may have reached the network) and posts only if it is not there."""
    waiting = list(
        PostTarget.objects.filter(account=social_account, state=S.NEEDS_ATTENTION).values_list("pk", flat=True)
    )
    # One never tried (it waited before its first attempt) has nothing to look up: it is simply approved again.
    PostTarget.objects.filter(pk__in=waiting, posting_started_at__isnull=True).update(
        state=S.APPROVED, next_attempt_at=now, last_error=""
    )
    PostTarget.objects.filter(pk__in=waiting, state=S.NEEDS_ATTENTION).update(
        state=S.POSTING, next_attempt_at=now, last_error=""
    )
    for target_id in waiting:
        enqueue_with_commit(target_send_task(), target_id)
    _mark_queued(waiting, due_at=now, now=now)


def _mark_queued(target_ids: list[int], *, due_at: datetime, now: datetime) -> None:
    """Once the transaction that queued tasks for these targets commits, record them as queued, so that the
    dispatcher does not queue them again while they wait for a worker (`targets_due`). A target a worker already
    took (its `next_attempt_at` is then its lease) is left alone."""
    ids = list(target_ids)
    transaction.on_commit(
        lambda: PostTarget.objects.filter(pk__in=ids, state__in=[S.APPROVED, S.POSTING], next_attempt_at=due_at).update(
            queued_at=now
        )
    )


# --- Composing ---------------------------------------------------------------------------------------------


@dataclass
class Draft:
    """What the composer hands the services (forms.ComposeForm.draft())."""

    text: str
    link: str
    accounts: list[SocialAccount]
    variants: dict[int, str]  # account id -> its own text
    scheduled_for: datetime | None = None
    campaign: Any = None
    alert: Any = None
    page: Any = None
    image: Any = None  # an upload, or None to keep the current one
    image_alt: str = ""
    remove_image: bool = False


def _check_accounts(actor: StaffUser, accounts: list[SocialAccount]) -> None:
    if not accounts:
        raise ValidationError({"accounts": "Choose at least one account to post to"})
    for account in accounts:
        if not may_use_account(actor, account):
            raise SocialPermissionError(f"You cannot post to {account}")


def _store_image(post: Post, draft: Draft) -> None:
    if draft.remove_image:
        post.image_file, post.image_mime = "", ""
    if draft.image is not None:
        try:
            image = clean_image(draft.image, max_bytes=IMAGE_MAX_BYTES)
        except UploadRejected as error:
            raise ValidationError({"image": str(error)}) from error
        name = random_name(image.ext)
        store_bytes(image.content, private_file(IMAGE_FOLDER, name))
        post.image_file, post.image_mime = name, image.mime
    post.image_alt = draft.image_alt.strip() if post.image_file else ""
    if post.image_file and not post.image_alt:
        raise ValidationError({"image_alt": "Describe the image for people who cannot see it (alt text)"})


def _check_image_needed(post: Post, accounts: list[SocialAccount]) -> None:
    """A network with no text-only posts (Instagram) refuses a post without an image: say so when the draft is
    saved, not when the post fails hours later."""
    if post.image_file:
        return
    for account in accounts:
        connector_class = connector_for(account.network)
        if connector_class.limits.needs_image:
            raise ValidationError(
                {
                    "image": f"{connector_class.label} needs an image with every post: it has no text-only posts. "
                    f"Add an image, or do not post to {account}."
                }
            )


def _write(post: Post, draft: Draft) -> Post:
    post.text = draft.text
    post.link = draft.link
    post.scheduled_for = draft.scheduled_for
    post.campaign = draft.campaign
    post.alert = draft.alert
    post.page = draft.page
    _store_image(post, draft)
    _check_image_needed(post, draft.accounts)
    post.save()
    wanted = {a.pk for a in draft.accounts}
    post.targets.exclude(account_id__in=wanted).delete()
    for account in draft.accounts:
        target, _ = PostTarget.objects.get_or_create(post=post, account=account)
        variant = draft.variants.get(account.pk, "").strip()
        if target.variant_text != variant:
            target.variant_text = variant
            target.save(update_fields=["variant_text", "updated_at"])
    return post


@transaction.atomic
def post_create(*, author: StaffUser, draft: Draft, request: HttpRequest | None = None) -> Post:
    if not author.has_perm("social.add_post"):
        raise SocialPermissionError("You cannot write social media posts")
    _check_accounts(author, draft.accounts)
    from openbeat.staff.models import StaffProfile

    profile = StaffProfile.objects.filter(user=author).first()
    post = _write(Post(author=author, division_id=profile.division_id if profile else None), draft)
    log_action(
        "social.post.create",
        actor=author,
        target=post,
        data={"accounts": [a.pk for a in draft.accounts]},
        request=request,
    )
    return post


@transaction.atomic
def post_update(*, post: Post, editor: StaffUser, draft: Draft, request: HttpRequest | None = None) -> Post:
    if post.state != Post.State.DRAFT:
        raise ValidationError("Only a draft can be changed")
    if not can_edit(editor, post):
        raise SocialPermissionError("You cannot change this post")
    _check_accounts(editor, draft.accounts)
    _write(post, draft)
    log_action(
        "social.post.update",
        actor=editor,
        target=post,
        data={"accounts": [a.pk for a in draft.accounts]},
        request=request,
    )
    return post


def can_edit(user: RequestUser, post: Post) -> bool:
    return (
        post.state == Post.State.DRAFT
        and user.has_perm("social.add_post")
        and (post.author_id == user.pk or scope_for(user).force_wide)
    )


def can_approve(user: RequestUser, post: Post) -> bool:
    awaiting = [t for t in post.targets.all() if t.state == S.AWAITING_APPROVAL]
    return (
        bool(awaiting)
        and user.has_perm("social.approve_post")
        and post.author_id != user.pk
        and not post.approvals.filter(approver_id=user.pk).exists()
        and all(may_use_account(user, t.account) for t in awaiting)
    )


@dataclass(frozen=True)
class Preview:
    account: SocialAccount
    network_label: str
    text: str
    length: int
    max_chars: int
    problems: list[str]
    notes: list[str] = field(default_factory=list)  # the network's rules worth knowing (Instagram's)

    @property
    def over(self) -> bool:
        return self.length > self.max_chars


def _full_text(text: str, link: str) -> str:
    return f"{text}\n\n{link}" if link else text


def previews(
    *,
    text: str,
    link: str,
    accounts: list[SocialAccount],
    variants: dict[int, str],
    image_alt: str,
    has_image: bool,
    reply: bool = False,
) -> list[Preview]:
    """Each account's post as its network would count it (the server's figure is the one that counts). A `reply`
    (from the inbox) is text in a thread: a network's need of an image is for posts."""
    result = []
    for account in accounts:
        connector_class = connector_for(account.network)
        limits = connector_class.limits
        body = variants.get(account.pk, "").strip() or text
        full = _full_text(body, link)
        length = offline_connector(account).length(full)
        problems = []
        if length > limits.max_chars:
            problems.append(f"{length - limits.max_chars} characters too long for {connector_class.label}")
        if limits.max_bytes is not None and len(full.encode()) > limits.max_bytes:
            problems.append(f"Too long for {connector_class.label}: more than {limits.max_bytes} bytes")
        if link and not limits.links_allowed:
            problems.append(f"{connector_class.label} does not take links in posts")
        if has_image and limits.image_alt_required and not image_alt.strip():
            problems.append("The image needs alt text")
        if len(image_alt) > limits.max_alt_chars:
            problems.append(f"Alt text longer than {limits.max_alt_chars} characters")
        if limits.needs_image and not has_image and not reply:
            problems.append(f"{connector_class.label} needs an image: it has no text-only posts")
        hashtags = len(HASHTAG.findall(full))
        if limits.max_hashtags is not None and hashtags > limits.max_hashtags:
            problems.append(f"{hashtags} hashtags: {connector_class.label} takes at most {limits.max_hashtags}")
        notes = _rules(connector_class.label, limits)
        result.append(Preview(account, connector_class.label, full, length, limits.max_chars, problems, notes))
    return result


HASHTAG = re.compile(r"(?<![\w&])#\w+")


def _rules(label: str, limits: Limits) -> list[str]:
    """What a network does differently, said once in its preview (the problems above say where a post breaks it)."""
    rules = []
    if limits.needs_image:
        rules.append(f"{label} needs an image with every post.")
    if limits.max_hashtags is not None:
        rules.append(f"At most {limits.max_hashtags} hashtags.")
    if not limits.links_clickable:
        rules.append(f"Links in {label} posts cannot be clicked: people have to copy them, so keep them short.")
    return rules


def post_previews(post: Post) -> list[Preview]:
    targets = list(post.targets.select_related("account", "account__account"))
    return previews(
        text=post.text,
        link=post.link,
        accounts=[t.account for t in targets],
        variants={t.account_id: t.variant_text for t in targets},
        image_alt=post.image_alt,
        has_image=bool(post.image_file),
    )


def _check_legal(post: Post, confirmed: set[str], who: str) -> list[str]:
    return legal.require_confirmed(legal.warnings_for(post), confirmed, who)


def _ledger_data(target: PostTarget, **extra: Any) -> dict[str, Any]:
    return {
        "post": target.post_id,
        "target": target.pk,
        "account": str(target.account),
        "network": target.account.network,
        "text": target.text,
        "text_sha256": hashlib.sha256(target.text.encode()).hexdigest(),
        **extra,
    }


def _ledger_target(action: str, actor: StaffUser | None, target: PostTarget, **extra: Any) -> None:
    ledger_append(action=action, actor=actor, data=_ledger_data(target, **extra))


def _release(target: PostTarget, actor: StaffUser, now: datetime) -> None:
    """An approved target: due at the post's scheduled time, or now."""
    post = target.post
    target.state = S.APPROVED
    target.next_attempt_at = post.scheduled_for if post.scheduled_for and post.scheduled_for > now else now
    target.save(update_fields=["state", "next_attempt_at", "updated_at"])
    _ledger_target("approved", actor, target, scheduled_for=post.scheduled_for)
    if target.next_attempt_at <= now:
        enqueue_with_commit(target_send_task(), target.pk)
        _mark_queued([target.pk], due_at=target.next_attempt_at, now=now)


@transaction.atomic
def post_submit(
    *, post: Post, actor: StaffUser, confirmed: set[str] | None = None, request: HttpRequest | None = None
) -> Post:
    """Send a draft on: to approval for the accounts that need it, and to be posted (at its time) for the
    others. Legal warnings must be confirmed by the author when some account needs no approval."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not can_edit(actor, post):
        raise SocialPermissionError("You cannot submit this post")
    targets = list(post.targets.select_related("account", "account__account", "account__account__group"))
    _check_accounts(actor, [t.account for t in targets])
    problems = [f"{p.account}: {problem}" for p in post_previews(post) for problem in p.problems]
    if problems:
        raise ValidationError({"text": problems})
    now = timezone.now()
    if any(not t.account.requires_approval for t in targets):
        _check_legal(post, confirmed or set(), "You")
    post.state = Post.State.SUBMITTED
    post.submitted_at = now
    post.save(update_fields=["state", "submitted_at"])
    for target in targets:
        if target.account.requires_approval:
            target.state = S.AWAITING_APPROVAL
            target.save(update_fields=["state", "updated_at"])
        else:
            _release(target, actor, now)
    log_action("social.post.submit", actor=actor, target=post, request=request)
    return post


def approvers_needed(account: SocialAccount) -> int:
    if account.corporate and SocialSettings.load().corporate_second_approver:
        return 2
    return 1


@transaction.atomic
def post_approve(
    *, post: Post, approver: StaffUser, confirmed: set[str] | None = None, request: HttpRequest | None = None
) -> Post:
    """One approver's yes. Never the author's; a corporate account's post waits for a second approver when the
    force's settings say so. Every legal warning must be confirmed."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id == approver.pk:
        raise SocialPermissionError("You cannot approve your own post")
    if not can_approve(approver, post):
        raise SocialPermissionError("You cannot approve this post")
    labels = _check_legal(post, confirmed or set(), "The approver")
    Approval.objects.create(post=post, approver=approver, confirmed_warnings=labels)
    approvals = post.approvals.count()
    now = timezone.now()
    released = []
    for target in post.targets.select_related("account", "account__account").filter(state=S.AWAITING_APPROVAL):
        if approvals >= approvers_needed(target.account):
            _release(target, approver, now)
            released.append(target.pk)
    log_action(
        "social.post.approve",
        actor=approver,
        target=post,
        data={"confirmed_warnings": labels, "released": released, "approvals": approvals},
        request=request,
    )
    return post


@transaction.atomic
def post_cancel(*, post: Post, actor: StaffUser, request: HttpRequest | None = None) -> Post:
    """Stop whatever has not gone out yet (a target being posted right now is left to finish)."""
    approver_in_scope = actor.has_perm("social.approve_post") and all(
        may_use_account(actor, t.account) for t in post.targets.select_related("account__account__group")
    )
    if not (post.author_id == actor.pk or approver_in_scope):
        raise SocialPermissionError("You cannot cancel this post")
    stoppable = [S.DRAFT, S.AWAITING_APPROVAL, S.APPROVED, S.NEEDS_ATTENTION, S.FAILED]
    targets = list(post.targets.select_for_update().select_related("account", "account__account"))
    for target in targets:
        if target.state in stoppable:
            target.state = S.CANCELLED
            target.next_attempt_at = None
            target.save(update_fields=["state", "next_attempt_at", "updated_at"])
            _ledger_target("cancelled", actor, target)
    post.state = Post.State.CANCELLED
    post.save(update_fields=["state"])
    log_action("social.post.cancel", actor=actor, target=post, request=request)
    return post


def target_delete(*, target: PostTarget, actor: StaffUser, request: HttpRequest | None = None) -> PostTarget:
    """Take a posted post down from its network."""
    if target.state != S.POSTED:
        raise ValidationError("Only a posted post can be deleted")
    if not (actor.has_perm("social.approve_post") and may_use_account(actor, target.account)):
        raise SocialPermissionError("You cannot delete this post")
    try:
        with connected(target.account) as connector:
            connector.delete(target.remote_id)
    except ConnectorError as error:
        raise ValidationError(f"{target.account.account.get_platform_display()} said: {error.message}") from error
    with transaction.atomic():
        target.state = S.DELETED
        target.save(update_fields=["state", "updated_at"])
        _ledger_target("deleted", actor, target, remote_id=target.remote_id)
        log_action("social.target.delete", actor=actor, target=target.post, data={"target": target.pk}, request=request)
    return target


@transaction.atomic
def target_retry(*, target: PostTarget, actor: StaffUser, request: HttpRequest | None = None) -> PostTarget:
    """Try a failed target again from the start of its backoff (after the cause, e.g. credits, is fixed)."""
    if target.state != S.FAILED:
        raise ValidationError("Only a failed post can be tried again")
    if not (actor.has_perm("social.approve_post") and may_use_account(actor, target.account)):
        raise SocialPermissionError("You cannot retry this post")
    now = timezone.now()
    # A failure after an unknown outcome may have reached the network: look it up before posting again.
    target.state = S.POSTING if target.posting_started_at else S.APPROVED
    target.attempts = 0
    target.next_attempt_at = now
    target.save(update_fields=["state", "attempts", "next_attempt_at", "updated_at"])
    log_action("social.target.retry", actor=actor, target=target.post, data={"target": target.pk}, request=request)
    enqueue_with_commit(target_send_task(), target.pk)
    _mark_queued([target.pk], due_at=now, now=now)
    return target


# --- Posting -----------------------------------------------------------------------------------------------


def target_send_task() -> Any:
    from openbeat.social.tasks import target_send_task as task

    return task


def targets_send_task() -> Any:
    from openbeat.social.tasks import targets_send_task as task

    return task


def backoff_after(attempts: int, error: ConnectorError | None = None) -> timedelta:
    """How long to wait after the `attempts`-th try (1, 5, 15, 60 minutes), at least what the network asked."""
    minutes = BACKOFF_MINUTES[min(max(attempts, 1) - 1, len(BACKOFF_MINUTES) - 1)]
    delay = timedelta(minutes=minutes)
    if error is not None and error.retry_after:
        delay = max(delay, timedelta(seconds=error.retry_after))
    return delay


def _backoff(target: PostTarget, error: ConnectorError | None = None) -> timedelta:
    return backoff_after(target.attempts, error)


class AfterError(StrEnum):
    """What to do with something sent at most once (a post's target, an inbox reply) after a network error."""

    RECONNECT = "reconnect"  # the token no longer works: wait for the account to be reconnected
    LOOK_UP = "look_up"  # it may be on the network: after the backoff, look it up before sending again
    RETRY = "retry"  # a passing error or a rate limit: send again after the backoff
    GIVE_UP = "give_up"


def after_error(error: ConnectorError, *, attempts: int, looking_up: bool) -> AfterError:
    """The one rule posts and replies share, from the error's kind and the attempts made so far."""
    if error.kind == ErrorKind.REVOKED:
        return AfterError.RECONNECT
    if looking_up or error.kind == ErrorKind.UNKNOWN_OUTCOME:
        return AfterError.LOOK_UP if attempts < MAX_ATTEMPTS else AfterError.GIVE_UP
    if error.kind in (ErrorKind.PASSING, ErrorKind.RATE_LIMITED) and attempts < MAX_ATTEMPTS:
        return AfterError.RETRY
    return AfterError.GIVE_UP


@dataclass(frozen=True)
class SendFailed:
    """A claimed attempt's network error; `during_lookup`: it came from the lookup, not from sending."""

    error: ConnectorError
    during_lookup: bool


GAVE_UP = "gave_up"  # looked up, not found, and no attempts left


def send_once(
    connector: Connector,
    outgoing: Outgoing,
    *,
    looking_up: bool,
    since: datetime,
    attempts: int,
    new_attempt: Callable[[], None],
    after_call: Callable[[], None],
) -> Posted | SendFailed | str:
    """One claimed attempt's network calls, for a post's target or an inbox reply, already recorded (committed)
    as being sent: when `looking_up` (a dead worker's, an unknown outcome's) the network is asked first for what
    was sent with `outgoing`'s key and text since `since`, and only if it is not there is a new attempt recorded
    (`new_attempt`, committed before the call) and `outgoing` sent. `after_call` runs after each call (to keep
    credentials the network renewed). Returns what the network has, the error, or GAVE_UP."""
    if looking_up:
        try:
            found = connector.find_post(
                outgoing.idempotency_key, since=since, text=outgoing.text, in_reply_to=outgoing.in_reply_to
            )
        except ConnectorError as error:
            return SendFailed(error, during_lookup=True)
        finally:
            after_call()
        if found is not None:
            return found
        if attempts >= MAX_ATTEMPTS:
            return GAVE_UP
        # Not on the network: a new attempt, recorded (committed) before the call.
        new_attempt()
    try:
        return connector.post(outgoing)
    except ConnectorError as error:
        return SendFailed(error, during_lookup=False)
    finally:
        after_call()


def _images(post: Post) -> tuple[Image, ...]:
    if not post.image_file:
        return ()
    from openbeat.social.images import image_link

    content = private_file(IMAGE_FOLDER, post.image_file).read_bytes()
    return (
        Image(content=content, mime_type=post.image_mime, alt_text=post.image_alt, url=image_link(post.image_file)),
    )


def _save(target: PostTarget, **changes: Any) -> None:
    """Write the outcome of a network call, only if the target is still ours (POSTING)."""
    for name, value in changes.items():
        setattr(target, name, value)
    PostTarget.objects.filter(pk=target.pk, state=S.POSTING).update(**changes, updated_at=timezone.now())


def _record_posted(targets: list[PostTarget]) -> None:
    """One UPDATE statement run for each target (executemany: one round of the driver, not one ORM update each,
    nor bulk_update's CASE per column, which costs more to build than to run)."""
    table = PostTarget._meta.db_table
    columns = ["state", "remote_id", "url", "posted_at", "last_error", "next_attempt_at", "updated_at"]  # as named
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(table)} SET "  # noqa: S608 (names from the model, values as parameters)
        + ", ".join(f"{quote(name)} = %s" for name in columns)
        + f" WHERE {quote('id')} = %s"
    )
    when = connection.ops.adapt_datetimefield_value
    rows = [
        (t.state, t.remote_id, t.url, when(t.posted_at), t.last_error, None, when(t.updated_at), t.pk) for t in targets
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _posted(done: list[tuple[PostTarget, Posted]]) -> list[PostTarget]:
    """Record targets the network took as posted, with their ledger entries and audit rows, in one transaction of
    a few statements whatever their number. Only targets still ours (POSTING, locked here) are recorded; returns
    them. Until this commits, a target whose worker died is found again by the lookup after its lease."""
    if not done:
        return []
    now = timezone.now()
    with transaction.atomic():
        ours = set(
            PostTarget.objects.select_for_update(of=("self",))
            .filter(pk__in=[target.pk for target, _ in done], state=S.POSTING)
            .values_list("pk", flat=True)
        )
        recorded = []
        for target, posted in done:
            if target.pk not in ours:
                continue
            target.state = S.POSTED
            target.remote_id = posted.remote_id
            target.url = posted.url
            target.posted_at = posted.posted_at or now
            target.last_error = ""
            target.next_attempt_at = None
            target.updated_at = now
            recorded.append(target)
        if not recorded:
            return []
        _record_posted(recorded)
        ledger_append_many([("posted", None, _ledger_data(t, remote_id=t.remote_id, url=t.url)) for t in recorded])
        log_actions(
            [
                audit_entry("social.target.posted", actor=None, target=t.post, data={"target": t.pk, "url": t.url})
                for t in recorded
            ]
        )
    return recorded


def notify_reconnect(account: SocialAccount, error: ConnectorError, *, also: str = "") -> None:
    """Tell the staff who manage accounts (and `also`: the post's author, the reply's writer) that the account
    must be reconnected."""
    users = get_user_model().objects.with_perm(
        "social.manage_socialaccount", backend="openbeat.staff.auth.ThrottledModelBackend"
    )
    addresses = {u.email for u in users if u.email and may_use_account(u, account)}
    if also:
        addresses.add(also)
    for address in sorted(addresses):
        email_send(
            to=address,
            template="social/email/reconnect",
            context={
                "account": account,
                "reason": error.message,
                "link": absolute_url(reverse("social_staff:account_credentials", kwargs={"pk": account.pk})),
            },
            purpose=RECONNECT_PURPOSE,
        )


def _failed(target: PostTarget, error: ConnectorError, *, looking_up: bool, now: datetime) -> str:
    message = error.message[:500]
    decision = after_error(error, attempts=target.attempts, looking_up=looking_up)
    with transaction.atomic():
        if decision is AfterError.RECONNECT:
            account = target.account
            account.status = SocialAccount.Status.NEEDS_RECONNECTING
            account.status_reason = message[:300]
            account.save(update_fields=["status", "status_reason"])
            _save(target, state=S.NEEDS_ATTENTION, last_error=message, next_attempt_at=None)
            log_action("social.account.revoked", actor=None, target=account, data={"target": target.pk})
            notify_reconnect(target.account, error, also=target.post.author.email)
            return S.NEEDS_ATTENTION
        if decision is AfterError.LOOK_UP:
            # The post may be on the network: stay in POSTING, so the next try looks it up before posting.
            _save(target, last_error=message, next_attempt_at=now + _backoff(target, error))
            return S.POSTING
        if decision is AfterError.RETRY:
            _save(target, state=S.APPROVED, last_error=message, next_attempt_at=now + _backoff(target, error))
            return S.APPROVED
        _save(target, state=S.FAILED, last_error=message, next_attempt_at=None)
        if not (looking_up or error.kind == ErrorKind.UNKNOWN_OUTCOME):
            log_action(
                "social.target.failed",
                actor=None,
                target=target.post,
                data={"target": target.pk, "kind": str(error.kind)},
            )
        return S.FAILED


def _claim(target_ids: list[int], now: datetime) -> list[tuple[PostTarget, bool]]:
    """Take the due targets among `target_ids` for one try each, in one transaction committed before any network
    call: the idempotency record. Each fresh target goes to POSTING with its attempt counted; each target already
    in POSTING (a dead worker's, an unknown outcome's) is to be looked up first. All get the lease
    (`next_attempt_at`); rows another worker holds are skipped. Returns (target, whether to look it up first), in
    the order of `target_ids`."""
    lease = now + posting_lease()  # after it, the worker is taken for dead
    with transaction.atomic():
        rows = list(
            PostTarget.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("post", "post__author", "post__division", "account", "account__account")
            .filter(pk__in=target_ids, state__in=[S.APPROVED, S.POSTING])
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        )
        order = {pk: index for index, pk in enumerate(target_ids)}
        rows.sort(key=lambda target: order[target.pk])
        claimed: list[tuple[PostTarget, bool]] = []
        fresh: list[int] = []
        lookups: list[int] = []
        waiting: dict[int, list[int]] = {}
        for target in rows:
            if target.account.status != SocialAccount.Status.CONNECTED:
                waiting.setdefault(target.account_id, []).append(target.pk)
                continue
            looking_up = target.state == S.POSTING
            (lookups if looking_up else fresh).append(target.pk)
            if not looking_up:
                target.state = S.POSTING
                target.attempts += 1
                target.posting_started_at = now
            target.next_attempt_at = lease
            target.queued_at = None
            claimed.append((target, looking_up))
        for pks in waiting.values():
            account = next(t.account for t in rows if t.pk == pks[0])
            PostTarget.objects.filter(pk__in=pks).update(
                state=S.NEEDS_ATTENTION,
                last_error=f"The account needs reconnecting: {account.status_reason or 'not connected'}",
                queued_at=None,
                updated_at=now,
            )
        if fresh:
            PostTarget.objects.filter(pk__in=fresh).update(
                state=S.POSTING,
                attempts=F("attempts") + 1,
                posting_started_at=now,
                next_attempt_at=lease,
                queued_at=None,
                updated_at=now,
            )
        if lookups:
            PostTarget.objects.filter(pk__in=lookups).update(next_attempt_at=lease, queued_at=None, updated_at=now)
    return claimed


def _renew_lease(targets: list[PostTarget], held_until: datetime, lease: datetime) -> list[PostTarget]:
    """Move the lease of the targets a long batch has not reached yet; returns those still ours (still held
    under the lease this batch gave them)."""
    with transaction.atomic():
        ours = set(
            PostTarget.objects.select_for_update(of=("self",))
            .filter(pk__in=[t.pk for t in targets], state=S.POSTING, next_attempt_at=held_until)
            .values_list("pk", flat=True)
        )
        PostTarget.objects.filter(pk__in=ours).update(next_attempt_at=lease)
    for target in targets:
        target.next_attempt_at = lease
    return [t for t in targets if t.pk in ours]


def _attempt(target: PostTarget, looking_up: bool, connector: Connector, now: datetime) -> Posted | str:
    """One claimed target's network calls (`send_once`): the lookup if needed, then the post. Returns what the
    network took (to be recorded by `_posted`) or the state the target was left in after an error."""
    if looking_up:
        assert target.posting_started_at is not None
    outcome = send_once(
        connector,
        Outgoing(
            text=target.text,
            idempotency_key=str(target.idempotency_key),
            link=target.post.link,
            images=_images(target.post),
            handle=target.attempt_handle,
            # Committed at once (no transaction is open here), before the network call that publishes.
            keep_handle=lambda handle: _save(target, attempt_handle=handle[:200]),
        ),
        looking_up=looking_up,
        since=(target.posting_started_at or now) - LOOKUP_MARGIN,
        attempts=target.attempts,
        new_attempt=lambda: _save(target, attempts=target.attempts + 1, posting_started_at=now),
        after_call=lambda: _keep_refreshed_credentials(target.account, connector),
    )
    if isinstance(outcome, SendFailed):
        return _failed(target, outcome.error, looking_up=outcome.during_lookup, now=now)
    if outcome == GAVE_UP:
        _save(target, state=S.FAILED, last_error=target.last_error or "Gave up after several tries")
        return S.FAILED
    assert isinstance(outcome, Posted)
    return outcome


# How long the outcomes of a batch's posts may wait in memory before they are recorded (they are recorded at the
# latest at the end of the batch). A dead worker's unrecorded posts are found by the lookup after the lease.
RECORD_EVERY = 2.0


def _send_batch(
    target_ids: list[int],
    *,
    now: datetime | None = None,
    stop_before_network: bool = False,
    connectors: dict[int, Connector] | None = None,
) -> dict[int, str]:
    """Post a batch of targets, each at most once (see the module's docstring): one claim for the batch, then
    each target's network call outside any transaction, then the posted ones recorded together. Returns each
    target's state."""
    now = now or timezone.now()
    claimed = _claim(target_ids, now)
    states: dict[int, str] = {}
    if not stop_before_network:
        connectors = {} if connectors is None else connectors
        lease = posting_lease()
        started = renewed = last_record = time.monotonic()
        held_until = now + lease
        done: list[tuple[PostTarget, Posted]] = []
        pending = [target for target, _ in claimed]
        lookups = {target.pk for target, looking_up in claimed if looking_up}
        try:
            while pending:
                if time.monotonic() - renewed > lease.total_seconds() / 2:  # a slow batch keeps its lease
                    renewed = time.monotonic()
                    renewal = now + timedelta(seconds=renewed - started) + lease
                    pending = _renew_lease(pending, held_until, renewal)
                    held_until = renewal
                    if not pending:
                        break
                target = pending.pop(0)
                # One client per account, its connection kept alive between posts.
                try:
                    connector = connectors.get(target.account_id) or connectors.setdefault(
                        target.account_id, connector_of(target.account)
                    )
                except ConnectorError as error:  # a demo account pointed away from its stand-in
                    states[target.pk] = _failed(target, error, looking_up=target.pk in lookups, now=now)
                    continue
                outcome = _attempt(target, target.pk in lookups, connector, now)
                if isinstance(outcome, Posted):
                    done.append((target, outcome))
                else:
                    states[target.pk] = outcome
                if done and time.monotonic() - last_record > RECORD_EVERY:
                    states.update((t.pk, S.POSTED) for t in _posted(done))
                    done, last_record = [], time.monotonic()
        finally:
            states.update((t.pk, S.POSTED) for t in _posted(done))
    else:
        states.update((target.pk, S.POSTING) for target, _ in claimed)
    others = [pk for pk in target_ids if pk not in states]
    if others:
        states.update(PostTarget.objects.filter(pk__in=others).values_list("pk", "state"))
    return {pk: str(states.get(pk, "missing")) for pk in target_ids}


def target_send(
    *,
    target_id: int,
    now: datetime | None = None,
    stop_before_network: bool = False,
    connectors: dict[int, Connector] | None = None,
) -> str:
    """Post one target, at most once whatever happens (see the module's docstring). Returns its state.

    `stop_before_network` stops after the idempotency record is committed: tests use it to stand for a worker
    that died there."""
    states = _send_batch([target_id], now=now, stop_before_network=stop_before_network, connectors=connectors)
    return states[target_id]


def targets_due(now: datetime | None = None, *, limit: int = 500) -> list[int]:
    """Targets to try now: approved ones whose time has come, and ones in POSTING whose lease or backoff ran
    out (a dead worker, an unknown outcome); not those queued less than a lease ago and not yet taken by a
    worker (`queued_at`)."""
    now = now or timezone.now()
    return list(
        PostTarget.objects.filter(state__in=[S.APPROVED, S.POSTING], next_attempt_at__lte=now)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=now - posting_lease()))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


BATCH_SIZE = 25


def targets_send(*, target_ids: list[int]) -> dict[str, int]:
    """Post a batch of targets (one claim, one record of the posted ones), each at most once, sharing one
    connector per account; returns how many ended in each state."""
    outcomes: dict[str, int] = {}
    for state in _send_batch(target_ids).values():
        outcomes[state] = outcomes.get(state, 0) + 1
    return outcomes


def dispatch_due(now: datetime | None = None, *, limit: int = 500) -> int:
    """Queue the due targets (the scheduler's dispatch_due_social_posts, every minute) in batches of up to
    BATCH_SIZE, each batch one account's where it can be, so that a worker takes a batch's targets one after
    another with one client per account. Returns how many targets were queued."""
    now = now or timezone.now()
    due = list(
        PostTarget.objects.filter(pk__in=targets_due(now, limit=limit))
        .order_by("account_id", "next_attempt_at", "pk")
        .values_list("account_id", "pk")
    )
    batch: list[int] = []
    for index, (account_id, target_id) in enumerate(due):
        batch.append(target_id)
        last = index == len(due) - 1
        if last or len(batch) >= BATCH_SIZE or due[index + 1][0] != account_id:
            PostTarget.objects.filter(pk__in=batch).update(queued_at=now)
            targets_send_task().enqueue(batch)
            batch = []
    return len(due)
