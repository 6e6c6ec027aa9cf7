"""Signed per-delivery links in every message: click tracking, the open pixel, "Was this useful?", reply.

Each link carries the delivery's random token (never its sequential id), signed with SECRET_KEY and a salt
per purpose, so a rating link cannot be replayed as a reply link and nobody can forge one for someone else's
delivery. A click link also signs its target URL: the redirect view only ever goes where a message pointed,
so the link cannot be used as an open redirect. Links do not expire: a message read months later still works,
and what they do is harmless to repeat (count a click, offer a form; a rating link's page stores the score
only when its button is pressed, never on the GET a link scanner makes).

Paths stay short (/d/<kind>/<token>:<signature>/...) because SMS counts characters and mail clients wrap.
"""

from __future__ import annotations

import base64
import uuid
from urllib.parse import urlsplit

from django.core import signing

from openbeat.core.paths import absolute_url, path_for
from openbeat.core.signing import signer
from openbeat.delivery.models import Delivery, DeliverySettings

PURPOSES = ("click", "open", "rate", "reply")
SCORES = range(1, 6)


class LinkError(Exception):
    message = "This link is not valid. Check you copied all of it from the message."


def _signer(purpose: str) -> signing.Signer:
    if purpose not in PURPOSES:
        raise ValueError(f"Unknown link purpose {purpose!r}")
    return signer(f"openbeat.delivery.{purpose}")


def _path(name: str, signed: str, score: int | None = None) -> str:
    return path_for(name, signed=signed) if score is None else path_for(name, signed=signed, score=score)


def _short(token: uuid.UUID | None) -> str:
    if token is None:
        # Links are built for claimed rows, and the claim gives each row its token (outbox._claim).
        raise ValueError("This delivery has no token yet: it has not been claimed for sending")
    return base64.urlsafe_b64encode(token.bytes).decode().rstrip("=")


def _token_from_short(short: str) -> uuid.UUID:
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(short + "=" * (-len(short) % 4)))
    except (ValueError, TypeError) as error:
        raise LinkError() from error


def _sign(purpose: str, delivery: Delivery) -> str:
    return _signer(purpose).sign(_short(delivery.token))


def is_safe_target(url: str) -> bool:
    """Only absolute http(s) URLs are tracked: no javascript:, data: or scheme-relative targets."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def click_url(delivery: Delivery, url: str) -> str:
    if not is_safe_target(url):
        raise ValueError("Only absolute http(s) links can be tracked")
    # sign_object, not dumps: no timestamp (links do not expire), so the link is shorter.
    signed = _signer("click").sign_object([_short(delivery.token), url], compress=True)
    return absolute_url(_path("delivery:click", signed))


def open_pixel_url(delivery: Delivery) -> str | None:
    """None unless the force has turned open tracking on (it is off by default; the privacy notice says so)."""
    if not DeliverySettings.load().track_opens:
        return None
    return absolute_url(_path("delivery:open", _sign("open", delivery)))


def rating_url(delivery: Delivery, score: int) -> str:
    if score not in SCORES:
        raise ValueError("A rating is from 1 to 5")
    return absolute_url(_path("delivery:rate", _sign("rate", delivery), score))


def reply_url(delivery: Delivery) -> str:
    return absolute_url(_path("delivery:reply", _sign("reply", delivery)))


def _delivery(short: str) -> Delivery:
    try:
        return Delivery.objects.select_related("alert").get(token=_token_from_short(short))
    except Delivery.DoesNotExist as error:
        raise LinkError() from error


def read_link(purpose: str, signed: str) -> Delivery:
    """The delivery an open/rate/reply link is for; LinkError when tampered, of another purpose, or gone."""
    try:
        short = _signer(purpose).unsign(signed)
    except signing.BadSignature as error:
        raise LinkError() from error
    return _delivery(short)


def read_click(signed: str) -> tuple[Delivery, str]:
    """The delivery and the target URL a click link was made for; LinkError if anything is off."""
    try:
        short, url = _signer("click").unsign_object(signed)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise LinkError() from error
    if not isinstance(short, str) or not isinstance(url, str) or not is_safe_target(url):
        raise LinkError()
    return _delivery(short), url
