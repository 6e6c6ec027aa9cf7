"""What a subscriber does after signing up: ask for a magic link, pause, resume, stop, start again, erase.

Erasure is extensible. An app that keeps anything about a subscriber (deliveries, replies, reports made
through In the Know) registers an eraser in its AppConfig.ready():

    from openbeat.subscriptions.preferences import register_eraser

    @register_eraser
    def erase_deliveries(subscriber: Subscriber) -> None:
        Delivery.objects.filter(subscriber=subscriber).delete()

`subscriber_erase` calls every eraser with the subscriber, in registration order, inside its own transaction
and before the subscriber row (and with it, by cascade, areas, consents and demographics) is deleted. An
eraser must delete or anonymise everything its app holds about the person; if it raises, nothing is erased.
Rows that point at the subscriber with on_delete=CASCADE go anyway; an eraser is for what does not.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Q

from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send
from openbeat.core.models import TransactionalMessage
from openbeat.subscriptions.links import sign_in_link
from openbeat.subscriptions.models import Consent, Subscriber
from openbeat.subscriptions.services import consent_record, consent_withdraw
from openbeat.subscriptions.tokens import lifetime_text

Eraser = Callable[[Subscriber], None]
_erasers: list[Eraser] = []


def register_eraser(eraser: Eraser) -> Eraser:
    """Add an eraser (see the module docstring). Registering the same function twice has no effect."""
    if eraser not in _erasers:
        _erasers.append(eraser)
    return eraser


def subscriber_find_by_email(email: str) -> Subscriber | None:
    # Any status: someone who has unsubscribed may still want to download or delete their data.
    return Subscriber.objects.filter(email__iexact=email.strip()).order_by("pk").first()


def manage_link_request(*, email: str) -> bool:
    """Email a sign-in link to the preferences if the address is subscribed. Callers must answer the same
    either way (the result is for tests and counts, never for the person who typed the address)."""
    subscriber = subscriber_find_by_email(email)
    if subscriber is None:
        return False
    return sign_in_link_send(subscriber=subscriber)


def sign_in_link_send(*, subscriber: Subscriber) -> bool:
    """Email the subscriber a fresh sign-in link, to their own address only (False when they have none).

    The link is short-lived and works once; the email says for how long, from the same setting."""
    if not subscriber.email:
        return False
    email_send(
        to=subscriber.email,
        template="subscriptions/messages/manage_link",
        context={"link": sign_in_link(subscriber), "lifetime": lifetime_text("manage")},
        purpose="subscriptions.manage_link",
    )
    return True


def _set_status(subscriber: Subscriber, *, to: str, when: list[str]) -> bool:
    # Conditional update: a double-submitted form or a concurrent one-click unsubscribe changes nothing twice.
    changed = Subscriber.objects.filter(pk=subscriber.pk, status__in=when).update(status=to)
    if changed:
        subscriber.status = to
    return bool(changed)


def subscriber_pause(*, subscriber: Subscriber) -> bool:
    return _set_status(subscriber, to=Subscriber.Status.PAUSED, when=[Subscriber.Status.ACTIVE])


def subscriber_resume(*, subscriber: Subscriber) -> bool:
    return _set_status(subscriber, to=Subscriber.Status.ACTIVE, when=[Subscriber.Status.PAUSED])


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber) -> bool:
    """Stop every message and withdraw consent to contact. The record stays until the person erases it."""
    others = [s for s in Subscriber.Status.values if s != Subscriber.Status.UNSUBSCRIBED]
    changed = _set_status(subscriber, to=Subscriber.Status.UNSUBSCRIBED, when=others)
    consent_withdraw(subscriber=subscriber, purpose=Consent.Purpose.CONTACT)
    return changed


@transaction.atomic
def subscriber_resubscribe(*, subscriber: Subscriber, wording: str, source: str) -> bool:
    """Start messages again after unsubscribing, with consent recorded afresh in the words shown."""
    contactable = subscriber.email_confirmed_at is not None or subscriber.phone_verified_at is not None
    status = Subscriber.Status.ACTIVE if contactable else Subscriber.Status.PENDING
    if not _set_status(subscriber, to=status, when=[Subscriber.Status.UNSUBSCRIBED]):
        return False
    consent_record(subscriber=subscriber, purpose=Consent.Purpose.CONTACT, wording=wording, source=source)
    return True


@register_eraser
def _erase_queued_messages(subscriber: Subscriber) -> None:
    """Transactional messages not yet sent (or failed) still carry the address and, often, a sign-in link."""
    addressed = Q(pk__in=[])
    if subscriber.email:
        addressed |= Q(channel=TransactionalMessage.Channel.EMAIL, to__iexact=subscriber.email)
    if subscriber.phone:
        addressed |= Q(channel=TransactionalMessage.Channel.SMS, to=subscriber.phone)
    TransactionalMessage.objects.filter(addressed).delete()


@transaction.atomic
def subscriber_erase(*, subscriber: Subscriber) -> bool:
    """Delete the subscriber and everything held about them; the audit entry names only the public id."""
    locked = Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
    if locked is None:
        return False
    for eraser in list(_erasers):
        eraser(locked)
    locked.delete()
    log_action(
        "subscriptions.subscriber.erase",
        actor=None,
        data={"subscriber": str(locked.public_id), "by": "subscriber"},
    )
    return True
