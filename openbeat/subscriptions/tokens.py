"""Signed, expiring links for residents: confirm a sign-up, open the preferences page, unsubscribe in one click.

A token names its purpose (so a confirmation link cannot be replayed as a sign-in link) and the subscriber's
public id, and carries a fingerprint of the subscriber's state where a link must stop working once used
(a confirmation link dies when the address is confirmed). Django's TimestampSigner gives tamper-proofing
and expiry with SECRET_KEY.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core import signing

from openbeat.core.signing import timestamp_signer
from openbeat.subscriptions.models import Subscriber

MAX_AGE = {
    "confirm": timedelta(days=3),
    "manage": timedelta(hours=24),
    # The preferences link in every alert message: it must still work when the message is read days later.
    "preferences": timedelta(days=60),
    # In every message's List-Unsubscribe header: it must still work when an old message is found.
    "unsubscribe": timedelta(days=400),
}


class TokenError(Exception):
    message = "This link is not valid. Check you copied all of it, or ask for a new one."


class TokenExpired(TokenError):
    message = "This link has expired. Ask for a new one."


def _fingerprint(purpose: str, subscriber: Subscriber) -> str:
    state = f"{subscriber.email_confirmed_at}" if purpose == "confirm" else ""
    return hashlib.sha256(state.encode()).hexdigest()[:10]


def make_token(purpose: str, subscriber: Subscriber) -> str:
    if purpose not in MAX_AGE:
        raise ValueError(f"Unknown token purpose {purpose!r}")
    signer = timestamp_signer(f"openbeat.subscriptions.{purpose}")
    return signer.sign(f"{subscriber.public_id}:{_fingerprint(purpose, subscriber)}")


def read_token(purpose: str, token: str) -> Subscriber:
    """The subscriber a token is for; TokenExpired or TokenError (tampered, used, wrong purpose, gone)."""
    signer = timestamp_signer(f"openbeat.subscriptions.{purpose}")
    try:
        value = signer.unsign(token, max_age=MAX_AGE[purpose])
    except signing.SignatureExpired as error:
        raise TokenExpired() from error
    except (signing.BadSignature, KeyError) as error:
        raise TokenError() from error
    public_id, _, fingerprint = value.partition(":")
    try:
        subscriber = Subscriber.objects.get(public_id=public_id)
    except (Subscriber.DoesNotExist, ValueError, signing.BadSignature) as error:
        raise TokenError() from error
    except Exception as error:  # a malformed UUID raises ValidationError
        raise TokenError() from error
    if fingerprint != _fingerprint(purpose, subscriber):
        raise TokenError()
    return subscriber
