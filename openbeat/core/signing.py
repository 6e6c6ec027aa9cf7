"""Django's Signer and TimestampSigner for values signed by the thousand, with the HMAC key derived once.

Django derives a signer's HMAC key (a hash of salt and SECRET_KEY, then HMAC's own key setup) on every
signature, and reads its settings on every construction. An alert message carries several signed links, so
for a batch of messages that was the larger part of building them. These give the same signatures as
Django's (they are Django's classes, with only the key derivation kept), unsign with SECRET_KEY_FALLBACKS as
Django's do, and are cached per salt and secret, so a changed SECRET_KEY (or a test overriding it) gets a
fresh one.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.encoding import force_bytes


class FastSigner(signing.Signer):
    """signature() for the signer's own key from a keyed HMAC prepared once; other keys (fallbacks) as Django."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        hasher = getattr(hashlib, self.algorithm)
        derived = hasher(force_bytes(self.salt) + b"signer" + force_bytes(self.key)).digest()
        self._mac = hmac.new(derived, digestmod=hasher)

    def signature(self, value: str | bytes, key: str | bytes | None = None) -> str:
        if key is not None and key != self.key:
            return super().signature(value, key)
        mac = self._mac.copy()
        mac.update(force_bytes(value))
        return signing.b64_encode(mac.digest()).decode()


class FastTimestampSigner(FastSigner, signing.TimestampSigner):
    pass


@functools.lru_cache(maxsize=64)
def _cached[S: signing.Signer](cls: type[S], salt: str, key: str, fallbacks: tuple[str, ...]) -> S:
    return cls(key=key, salt=salt, fallback_keys=list(fallbacks))


def signer(salt: str) -> signing.Signer:
    """What `signing.Signer(salt=salt)` gives, prepared once per salt and secret."""
    return _cached(FastSigner, salt, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


def timestamp_signer(salt: str) -> signing.TimestampSigner:
    """What `signing.TimestampSigner(salt=salt)` gives, prepared once per salt and secret."""
    return _cached(FastTimestampSigner, salt, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))
