"""Social accounts' credentials, encrypted at rest.

A connector's credentials (a dict of strings: tokens, app passwords, a Bluesky session) are kept in the database
only as a Fernet token (AES-128-CBC with an HMAC-SHA256, from `cryptography`). The key comes from the setting
SOCIAL_CREDENTIALS_KEY (the environment): one Fernet key, or a comma-separated list to rotate keys (MultiFernet:
the first key encrypts, every key decrypts; `rotate_credentials` re-encrypts a stored token with the first).

When SOCIAL_CREDENTIALS_KEY is empty (a developer's machine, the demo), the key is derived from SECRET_KEY with
HKDF-SHA256 and a fixed salt and info string below: a stolen database alone still reads nothing, but rotating
SECRET_KEY then makes the stored credentials unreadable (every account must be reconnected), which is why a
deployment should set its own key.

Nothing here logs or formats the values: errors name no token.
"""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# Fixed so that the same SECRET_KEY always derives the same key; changing either string orphans stored tokens.
_HKDF_SALT = b"openbeat.social.credentials.v1"
_HKDF_INFO = b"openbeat social account credentials"


class CredentialsError(Exception):
    """The stored credentials cannot be read (wrong or rotated-away key, or damaged): reconnect the account."""


def _derived_key(secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


def _fernet() -> MultiFernet:
    configured = [key.strip() for key in (settings.SOCIAL_CREDENTIALS_KEY or "").split(",") if key.strip()]
    keys = [key.encode("ascii") for key in configured] or [_derived_key(settings.SECRET_KEY)]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_credentials(data: dict[str, str]) -> str:
    """`data` as a Fernet token (text, for a TextField)."""
    payload = json.dumps({str(name): str(value) for name, value in data.items()}, sort_keys=True)
    return _fernet().encrypt(payload.encode("utf-8")).decode("ascii")


def decrypt_credentials(token: str) -> dict[str, str]:
    """The dict `encrypt_credentials` was given; {} for an empty token; CredentialsError if it cannot be read."""
    if not token:
        return {}
    try:
        payload = _fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError) as exc:
        raise CredentialsError(
            "The account's saved credentials could not be read (the encryption key changed?): reconnect it."
        ) from exc
    data = json.loads(payload)
    return {str(name): str(value) for name, value in data.items()}


def rotate_credentials(token: str) -> str:
    """`token` re-encrypted with the first configured key (after adding a new key in front of the list)."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


def merge_credentials(old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """`old` updated with `new`, except that an empty new value never replaces a stored one.

    Staff leave a secret field blank to keep it (the form never shows a saved secret again), and a network may
    answer a refresh without a new refresh token: in both cases the stored value must survive.
    """
    merged = dict(old)
    for name, value in new.items():
        if value:
            merged[name] = value
    return merged
