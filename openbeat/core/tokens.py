"""Signed, expiring tokens for emailed links that belong to no subscriber (a resident confirming a response).

The subscriber's links (subscriptions.tokens) and the reporter's (reports.status_tokens) sign values of their own
models; this is the same machinery for any value: a purpose-specific salt (so one purpose's token cannot be
replayed as another's), the prepared signers of core.signing, and core.links to make a link work only once.

    token = signed_token_make("concerns.confirm", str(pending.public_id))
    value = signed_token_read("concerns.confirm", token, max_age=timedelta(days=3))   # LinkInvalid / LinkExpired
    signed_token_use_once(token, max_age=timedelta(days=3))                           # True the first time only
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.utils import timezone

from openbeat.core.links import link_use_once, link_used
from openbeat.core.signing import timestamp_signer


class LinkInvalid(Exception):
    message = "This link is not valid. Check you copied all of it, or ask for a new one."


class LinkExpired(LinkInvalid):
    message = "This link has expired. Start again to get a new one."


class LinkUsed(LinkInvalid):
    message = "This link has already been used. Each link works only once."


def _salt(purpose: str) -> str:
    if not purpose or "." not in purpose:
        raise ValueError(f"A token's purpose is '<app>.<what>', got {purpose!r}")
    return f"openbeat.token.{purpose}"


def signed_token_make(purpose: str, value: str) -> str:
    return timestamp_signer(_salt(purpose)).sign(value)


def signed_token_read(purpose: str, token: str, *, max_age: timedelta) -> str:
    """The value signed for `purpose`; LinkExpired when older than `max_age`, LinkInvalid when tampered with or
    signed for another purpose."""
    try:
        return timestamp_signer(_salt(purpose)).unsign(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkExpired() from error
    except (signing.BadSignature, ValueError) as error:
        raise LinkInvalid() from error


def signed_token_used(token: str) -> bool:
    return link_used(token)


def signed_token_use_once(token: str, *, max_age: timedelta) -> bool:
    """Record the (already read) token as used: True the first time, False every time after."""
    # A valid token was signed no later than now, so it is dead by now + its lifetime: keep the record till then.
    return link_use_once(token, expires_at=timezone.now() + max_age)
