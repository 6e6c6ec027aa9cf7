"""Signed, expiring links for residents: confirm a sign-up, sign in to the preferences, open a message's
preferences page, unsubscribe in one click.

A token names its purpose (so a confirmation link cannot be replayed as a sign-in link) and the subscriber's
public id, and carries a fingerprint of the subscriber's state where a link must stop working once used
(a confirmation link dies when the address is confirmed). Django's TimestampSigner gives tamper-proofing
and expiry with SECRET_KEY.

Two kinds of link reach a subscriber's preferences, with different powers:

- "manage", the sign-in link, opens a session with every power (change everything, download, delete). It
  is only ever emailed on request to the subscriber's own address, lives SUBSCRIBER_SIGN_IN_LINK_MINUTES
  (`max_age("manage")`) and works once: `sign_in_link_use` records it as used (a hash and its expiry) and
  refuses it the second time. Each one carries a random nonce, so two links asked for in the same second
  are still two links.
- "preferences", in every alert email and digest, must work when a message is read weeks later and may be
  forwarded with it, so it opens no session: only a page to pause, resume or stop messages, or to email
  a fresh sign-in link to the subscriber's own address.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing

from openbeat.core.links import link_use_once, link_used
from openbeat.core.signing import timestamp_signer
from openbeat.subscriptions.models import Subscriber

# Fixed lifetimes; the sign-in link's ("manage") is a setting: see max_age().
MAX_AGE = {
    "confirm": timedelta(days=3),
    # The preferences link in every alert message: it must still work when the message is read days later.
    "preferences": timedelta(days=60),
    # In every message's List-Unsubscribe header: it must still work when an old message is found.
    "unsubscribe": timedelta(days=400),
}
PURPOSES = ("confirm", "manage", "preferences", "unsubscribe")


class TokenError(Exception):
    message = "This link is not valid. Check you copied all of it, or ask for a new one."


class TokenExpired(TokenError):
    message = "This link has expired. Ask for a new one."


class TokenUsed(TokenError):
    message = "This link has already been used. Each link to sign in works only once."


def max_age(purpose: str) -> timedelta:
    if purpose == "manage":
        return timedelta(minutes=settings.SUBSCRIBER_SIGN_IN_LINK_MINUTES)
    return MAX_AGE[purpose]


def duration_text(duration: timedelta) -> str:
    """A lifetime in words, as pages and emails state it: "1 hour", "90 minutes", "3 days"."""
    seconds = int(duration.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def lifetime_text(purpose: str) -> str:
    """How long a link of this purpose works, in words, from the same value read_token checks."""
    return duration_text(max_age(purpose))


def _signer(purpose: str) -> signing.TimestampSigner:
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown token purpose {purpose!r}")
    return timestamp_signer(f"openbeat.subscriptions.{purpose}")


def _fingerprint(purpose: str, subscriber: Subscriber) -> str:
    state = f"{subscriber.email_confirmed_at}" if purpose == "confirm" else ""
    return hashlib.sha256(state.encode()).hexdigest()[:10]


def make_token(purpose: str, subscriber: Subscriber) -> str:
    value = f"{subscriber.public_id}:{_fingerprint(purpose, subscriber)}"
    if purpose == "manage":
        value += f":{secrets.token_urlsafe(6)}"
    return _signer(purpose).sign(value)


def _unsign(purpose: str, token: str) -> tuple[str, int]:
    """The signed value and when it was signed (seconds since the epoch); TokenError if tampered."""
    try:
        signer = _signer(purpose)
        # The plain Signer's check (signature, SECRET_KEY_FALLBACKS), then the timestamp read here, so that
        # the age can be measured against a given `now`.
        raw = signing.Signer.unsign(signer, token)
        value, _, stamp = raw.rpartition(signer.sep)
        return value, signing.b62_decode(stamp)
    except (signing.BadSignature, ValueError, IndexError) as error:
        raise TokenError() from error


def _subscriber(purpose: str, value: str) -> Subscriber:
    public_id, _, rest = value.partition(":")
    fingerprint = rest.split(":")[0]
    try:
        subscriber = Subscriber.objects.get(public_id=public_id)
    except (Subscriber.DoesNotExist, ValueError) as error:
        raise TokenError() from error
    except Exception as error:  # a malformed UUID raises ValidationError
        raise TokenError() from error
    if fingerprint != _fingerprint(purpose, subscriber):
        raise TokenError()
    return subscriber


def _now(now: datetime | None) -> float:
    return now.timestamp() if now is not None else time.time()


def _read(purpose: str, token: str, now: datetime | None) -> tuple[Subscriber, int]:
    value, signed_at = _unsign(purpose, token)
    if _now(now) - signed_at > max_age(purpose).total_seconds():
        raise TokenExpired()
    return _subscriber(purpose, value), signed_at


def read_token(purpose: str, token: str, *, now: datetime | None = None) -> Subscriber:
    """The subscriber a token is for; TokenExpired or TokenError (tampered, wrong purpose, gone).

    Whether a sign-in link has been used is not checked here: see sign_in_link_used / sign_in_link_use."""
    return _read(purpose, token, now)[0]


def read_token_any_age(purpose: str, token: str) -> Subscriber:
    """The subscriber of a genuine token however old or used: only for sending them a fresh link to their own
    address (TokenError when tampered, of another purpose, or the subscriber is gone)."""
    value, _ = _unsign(purpose, token)
    return _subscriber(purpose, value)


def sign_in_link_used(token: str) -> bool:
    return link_used(token)


def sign_in_link_use(token: str, *, now: datetime | None = None) -> Subscriber:
    """Read a sign-in link and mark it used, in one step: the subscriber the first time; TokenUsed every time
    after (core.links). TokenExpired or TokenError as read_token."""
    subscriber, signed_at = _read("manage", token, now)
    expires_at = datetime.fromtimestamp(signed_at, tz=UTC) + max_age("manage")
    if not link_use_once(token, expires_at=expires_at, now=datetime.fromtimestamp(_now(now), tz=UTC)):
        raise TokenUsed()
    return subscriber
