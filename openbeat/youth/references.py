"""The reference a young person is shown once, to come back for their answer: 12 random characters (60 bits)
from an alphabet without look-alikes, shown in groups of four, e.g. "K7QM-3XPD-9HTW".

Only a keyed hash is stored (`reference_hash`): someone reading the database cannot turn it back into the
reference, nor try guesses against it without the site's secret key.
"""

from __future__ import annotations

import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
LENGTH = 12
_SALT = "openbeat.youth.reference"


def reference_make() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def reference_normalise(typed: str) -> str:
    """What was typed, as the reference's characters only: spaces, dashes and case do not matter."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())[:40]


def reference_hash(reference: str) -> str:
    return salted_hmac(_SALT, reference_normalise(reference), algorithm="sha256").hexdigest()
