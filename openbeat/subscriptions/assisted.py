"""The contact centre helps a resident on the phone: finds them, shows what they get, changes it on their behalf.

Finding is by exact email address (compared ignoring case, normalised as sign-up normalises it) or exact
mobile number (E.164, as sign-up stores it): no partial match, no list to browse, a limit per staff user, and
every search audited with a keyed hash of what was searched for, never the address or number itself.

Every change goes through the service the resident's own pages use (services.py, signup.py, preferences.py);
this module only adds what makes it an assisted change: the resident's say-so as staff recorded it (the
consent statement and a note of who called and when, both required), an `AssistedChange` row, an audit entry
(the kind of change, never the note) and a notice to the resident, so that a change nobody asked for is seen.

What other apps hold about a subscriber reaches the contact centre's page through a registry, as export and
erasure do: the delivery app registers the recent messages sent (DeliveryConfig.ready):

    register_message_history(recent_deliveries)   # (subscriber, limit) -> list[SentMessage]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from openbeat.audit.models import AuditEntry
from openbeat.audit.selectors import audit_entries
from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send, sms_send
from openbeat.core.ratelimit import hit
from openbeat.core.users import StaffUser, user_name
from openbeat.subscriptions import preferences, signup, tokens
from openbeat.subscriptions.links import preferences_link, sign_in_link
from openbeat.subscriptions.models import AssistedChange, Consent, Interest, Subscriber
from openbeat.subscriptions.services import AreaChoice, subscriber_set_areas, subscriber_set_interests

LOOKUP_PERMISSION = "subscriptions.look_up_subscriber"
CONSENT_STATEMENT = "The resident asked for this change on the phone"
# Enough for a busy shift on the phones, far too few to walk through a list of guessed addresses.
SEARCHES_PER_HOUR = 60
MESSAGES = "subscriptions/messages"
TARGET_TYPE = "subscriptions.subscriber"
# Entries about looking (the search, the page views) are not changes: the page's history leaves them out.
LOOK_ACTIONS = ("subscriptions.subscriber.look_up", "subscriptions.subscriber.view")

Kind = AssistedChange.Kind


class ConsentMissing(ValueError):
    """An assisted change without the resident's say-so recorded: nothing is changed."""


# What other apps hold: the messages sent to a subscriber


@dataclass(frozen=True)
class SentMessage:
    title: str
    channel: str
    state: str
    at: datetime | None


MessageHistory = Callable[[Subscriber, int], list[SentMessage]]
_histories: list[MessageHistory] = []


def register_message_history(source: MessageHistory) -> MessageHistory:
    """Add a source of messages sent to a subscriber (see the module docstring). Twice has no effect."""
    if source not in _histories:
        _histories.append(source)
    return source


def recent_messages(subscriber: Subscriber, *, limit: int = 20) -> list[SentMessage]:
    """The newest messages from every registered source, newest first."""
    found = [message for source in _histories for message in source(subscriber, limit)]
    found.sort(key=lambda m: (m.at is not None, m.at or datetime.min), reverse=True)
    return found[:limit]


# Finding a subscriber


def lookup_key(*, by: str, value: str) -> str:
    """A keyed hash of what was searched for: the same search gives the same key (so repeats can be seen in the
    audit log), and nobody without the secret key can turn it back into an address or number."""
    return salted_hmac("openbeat.subscriptions.look_up", f"{by}:{value.lower()}", algorithm="sha256").hexdigest()[:32]


def lookup_allowed(user: StaffUser) -> bool:
    """Count one search by this staff user; False once they pass the hourly limit (per user, not per address:
    a contact centre answers from one office address)."""
    return hit(key=f"subscriber-look-up:user:{user.pk}", limit=SEARCHES_PER_HOUR, period=3600)


def subscriber_look_up(
    *, by: str, value: str, actor: StaffUser, request: HttpRequest | None = None
) -> Subscriber | None:
    """The subscriber with exactly this email address (`by="email"`, any case) or E.164 number (`by="phone"`).

    `value` is already normalised (`forms_contact_centre.LookupForm`). Audited, matched or not.
    """
    if by == "email":
        # iexact escapes LIKE's wildcards: "%@example.com" matches only an address that is exactly that.
        found = Subscriber.objects.filter(email__iexact=signup.normalise_email(value))
    elif by == "phone":
        found = Subscriber.objects.filter(phone=value)
    else:
        raise ValueError(f"Unknown search {by!r}")
    subscriber = found.order_by("pk").first()
    log_action(
        "subscriptions.subscriber.look_up",
        actor=actor,
        target=subscriber,
        data={"by": by, "matched": subscriber is not None, "searched": lookup_key(by=by, value=value)},
        request=request,
        division=_division(subscriber),
    )
    return subscriber


def _division(subscriber: Subscriber | None) -> Any:
    home = subscriber.home_neighbourhood if subscriber is not None else None
    return home.division if home is not None else None


def subscriber_view_record(
    *, subscriber: Subscriber, actor: StaffUser, request: HttpRequest | None = None, page: str = "summary"
) -> None:
    log_action(
        "subscriptions.subscriber.view",
        actor=actor,
        target=subscriber,
        data={"page": page, "by": "contact_centre"},
        request=request,
        division=_division(subscriber),
    )


def subscriber_history(subscriber: Subscriber, *, limit: int = 50) -> QuerySet[AuditEntry]:
    """The audit log's entries about changes to this subscriber, newest first (not the looks)."""
    return audit_entries(filters={"target_type": TARGET_TYPE, "target_id": str(subscriber.pk)}).exclude(
        action__in=LOOK_ACTIONS
    )[:limit]


def contact_consent(subscriber: Subscriber) -> Consent | None:
    return Consent.objects.filter(subscriber=subscriber, purpose=Consent.Purpose.CONTACT).order_by("-given_at").first()


# Changes on the resident's behalf


def _staff_label(actor: StaffUser) -> str:
    return user_name(actor)[:150]


def _check(consent: bool, note: str) -> str:
    note = " ".join(note.split())
    if not consent or not note:
        raise ConsentMissing("Record that the resident asked for this, and who called and when")
    return note[:300]


def _notice(subscriber: Subscriber, change: AssistedChange) -> bool:
    """Tell the resident, at their own address (else by text), that the contact centre changed their choices."""
    context = {"summary": change.summary, "at": change.at, "preferences_link": preferences_link(subscriber)}
    if subscriber.email:
        email_send(
            to=subscriber.email,
            template=f"{MESSAGES}/assisted_change",
            context=context,
            purpose="subscriptions.assisted_change",
        )
        return True
    if subscriber.phone:
        sms_send(
            to=subscriber.phone,
            template=f"{MESSAGES}/assisted_change_sms",
            context=context,
            purpose="subscriptions.assisted_change",
        )
        return True
    return False


def _record(
    *,
    subscriber: Subscriber,
    actor: StaffUser,
    kind: str,
    summary: str,
    note: str,
    request: HttpRequest | None,
    notify: bool = True,
    notified: bool = False,
) -> AssistedChange:
    change = AssistedChange.objects.create(
        subscriber=subscriber,
        staff=actor,
        staff_label=_staff_label(actor),
        kind=kind,
        summary=summary[:500],
        consent_statement=CONSENT_STATEMENT,
        note=note,
    )
    change.notice_sent = _notice(subscriber, change) if notify else notified
    change.save(update_fields=["notice_sent"])
    log_action(
        "subscriptions.subscriber.assisted_change",
        actor=actor,
        target=subscriber,
        # The kind and the record's number only: the note may name the caller, the summary a postcode.
        data={"change": kind, "assisted_change": change.pk, "notice_sent": change.notice_sent},
        request=request,
        division=_division(subscriber),
    )
    return change


@transaction.atomic
def assisted_set_interests(
    *,
    subscriber: Subscriber,
    slugs: Iterable[str],
    actor: StaffUser,
    consent: bool,
    note: str,
    request: HttpRequest | None = None,
) -> AssistedChange:
    note = _check(consent, note)
    slugs = list(slugs)
    subscriber_set_interests(subscriber=subscriber, slugs=slugs)
    names = list(
        Interest.objects.filter(slug__in=slugs).order_by("kind", "sort_order", "name").values_list("name", flat=True)
    )
    summary = f"Interests are now: {', '.join(names) or 'none'}."
    return _record(subscriber=subscriber, actor=actor, kind=Kind.INTERESTS, summary=summary, note=note, request=request)


@transaction.atomic
def assisted_set_areas(
    *,
    subscriber: Subscriber,
    home: AreaChoice,
    extra: Iterable[AreaChoice],
    actor: StaffUser,
    consent: bool,
    note: str,
    request: HttpRequest | None = None,
) -> AssistedChange:
    note = _check(consent, note)
    subscriber_set_areas(subscriber=subscriber, home=home, extra=extra)
    areas = list(subscriber.areas.select_related("neighbourhood").order_by("-is_home", "pk"))
    named = [f"{a.neighbourhood.name}{f' ({a.postcode})' if a.postcode else ''}" for a in areas]
    summary = f"Areas are now: {named[0]} (home)" + "".join(f"; {n}" for n in named[1:]) + "."
    return _record(subscriber=subscriber, actor=actor, kind=Kind.AREAS, summary=summary, note=note, request=request)


@transaction.atomic
def assisted_set_channels(
    *,
    subscriber: Subscriber,
    channels: signup.Channels,
    actor: StaffUser,
    consent: bool,
    note: str,
    request: HttpRequest | None = None,
) -> AssistedChange:
    note = _check(consent, note)
    signup.subscriber_set_channels(subscriber=subscriber, channels=channels)
    when = dict(signup.WHEN_CHOICES)
    email_priority = Subscriber.Priority(channels.email_min_priority).label.lower()
    summary = f"Email: {when[channels.email_when].lower()}, {email_priority} and above."
    if channels.phone:
        summary += (
            f" Text messages: {when[channels.sms_when].lower()}, "
            f"{Subscriber.Priority(channels.sms_min_priority).label.lower()} and above"
            + ("." if subscriber.phone_verified_at else ", to a number not yet verified.")
        )
    else:
        summary += " No text messages."
    return _record(subscriber=subscriber, actor=actor, kind=Kind.CHANNELS, summary=summary, note=note, request=request)


@transaction.atomic
def assisted_set_language(
    *,
    subscriber: Subscriber,
    language: str,
    actor: StaffUser,
    consent: bool,
    note: str,
    request: HttpRequest | None = None,
) -> AssistedChange:
    note = _check(consent, note)
    signup.subscriber_set_language(subscriber=subscriber, language=language)
    name = dict(settings.SUBSCRIBER_LANGUAGES)[language]
    summary = f"Messages are now in {name}."
    return _record(subscriber=subscriber, actor=actor, kind=Kind.LANGUAGE, summary=summary, note=note, request=request)


@transaction.atomic
def assisted_stop_texts(
    *, subscriber: Subscriber, actor: StaffUser, consent: bool, note: str, request: HttpRequest | None = None
) -> AssistedChange:
    """Stop text messages (the number is removed, as when the resident says "no texts"); email carries on."""
    note = _check(consent, note)
    channels = signup.Channels(
        email_when=signup.when_from_flags(subscriber.email_day, subscriber.email_night),
        email_min_priority=subscriber.email_min_priority,
        phone="",
    )
    signup.subscriber_set_channels(subscriber=subscriber, channels=channels)
    summary = "Text messages stopped and the mobile number removed. Emails carry on as before."
    return _record(subscriber=subscriber, actor=actor, kind=Kind.STOP_SMS, summary=summary, note=note, request=request)


@transaction.atomic
def assisted_unsubscribe(
    *, subscriber: Subscriber, actor: StaffUser, consent: bool, note: str, request: HttpRequest | None = None
) -> AssistedChange:
    note = _check(consent, note)
    preferences.subscriber_unsubscribe(subscriber=subscriber)
    summary = "All In the Know messages stopped. Your details stay until you delete them, so you can start again."
    return _record(
        subscriber=subscriber, actor=actor, kind=Kind.UNSUBSCRIBE, summary=summary, note=note, request=request
    )


@transaction.atomic
def assisted_send_link(
    *, subscriber: Subscriber, actor: StaffUser, consent: bool, note: str, request: HttpRequest | None = None
) -> AssistedChange:
    """Email the confirmation link again (address not yet confirmed) or a fresh sign-in link, to the resident's
    own address only. The email is the notice."""
    note = _check(consent, note)
    if not subscriber.email:
        raise ValueError("The resident has no email address")
    if subscriber.status == Subscriber.Status.PENDING and subscriber.email_confirmed_at is None:
        sent, summary = (
            signup.confirmation_send(subscriber=subscriber),
            "Sent the link to confirm the email address again.",
        )
    else:
        sent, summary = (
            preferences.sign_in_link_send(subscriber=subscriber),
            "Sent a link to sign in to the preferences.",
        )
    return _record(
        subscriber=subscriber,
        actor=actor,
        kind=Kind.SEND_LINK,
        summary=summary,
        note=note,
        request=request,
        notify=False,
        notified=sent,
    )


@transaction.atomic
def assisted_erasure_start(
    *, subscriber: Subscriber, actor: StaffUser, consent: bool, note: str, request: HttpRequest | None = None
) -> AssistedChange:
    """Start deleting the resident's account: they confirm it from a sign-in link emailed to their own address.

    A voice on the phone cannot prove whose account it is, and erasure cannot be undone: the contact centre
    starts it, the resident finishes it (preferences' "Delete your account and data", subscriber_erase)."""
    note = _check(consent, note)
    if not subscriber.email:
        raise ValueError("The resident has no email address")
    email_send(
        to=subscriber.email,
        template=f"{MESSAGES}/erasure_start",
        context={"link": sign_in_link(subscriber), "lifetime": tokens.lifetime_text("manage")},
        purpose="subscriptions.erasure_start",
    )
    summary = "Sent a link to confirm deleting the account and data."
    return _record(
        subscriber=subscriber,
        actor=actor,
        kind=Kind.ERASURE_START,
        summary=summary,
        note=note,
        request=request,
        notify=False,
        notified=True,
    )
