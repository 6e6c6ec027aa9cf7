"""Single-use links: a signed link that signs someone in works once (residents' In the Know sign-in links,
reporters' status links).

The caller checks the signature and age first; `link_use_once` then records the link as used and says whether
this was the first use. Two requests at once cannot both succeed: the token's hash is unique in the table.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from openbeat.core.models import UsedLink


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_used(token: str) -> bool:
    return UsedLink.objects.filter(token_hash=_hash(token)).exists()


def link_use_once(token: str, *, expires_at: datetime, now: datetime | None = None) -> bool:
    """Mark the link used; True the first time, False every time after. Records of links past their lifetime
    are deleted here, so the table stays small."""
    UsedLink.objects.filter(expires_at__lt=now or timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedLink.objects.create(token_hash=_hash(token), expires_at=expires_at)
    except IntegrityError:
        return False
    return True
