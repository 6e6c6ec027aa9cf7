"""The tamper-evident record of what was approved, posted and deleted, and by whom.

Each entry carries the hash of the one before: `hash = sha256(prev_hash + canonical JSON of the entry)`. Changing,
removing or reordering an entry breaks the chain at that point, which `ledger_verify` finds. Appends take the
`LedgerHead` row first (an UPDATE: a row lock on PostgreSQL, the write lock on SQLite), so two appends at once
cannot both chain onto the same previous entry. Entries older than the force's retention are pruned from the
start; the oldest kept entry's `prev_hash` is then the chain's anchor.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from openbeat.core.users import StaffUser
from openbeat.social.models import LedgerEntry, LedgerHead, SocialSettings

GENESIS = "0" * 64


def _canonical(*, at: datetime, action: str, actor_label: str, data: dict[str, Any]) -> str:
    return json.dumps(
        {"at": at.isoformat(), "action": action, "actor": actor_label, "data": data},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def entry_hash(*, prev_hash: str, at: datetime, action: str, actor_label: str, data: dict[str, Any]) -> str:
    body = _canonical(at=at, action=action, actor_label=actor_label, data=data)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def ledger_append(*, action: str, actor: StaffUser | None, data: dict[str, Any]) -> LedgerEntry:
    """Add one entry at the end of the chain (inside the caller's transaction, if any)."""
    return ledger_append_many([(action, actor, data)])[0]


def ledger_append_many(entries: list[tuple[str, StaffUser | None, dict[str, Any]]]) -> list[LedgerEntry]:
    """Add entries (action, actor, data) at the end of the chain, in order, each chained onto the one before, in
    one insert (inside the caller's transaction, if any). The head is taken first, as for one entry, so that a
    concurrent append chains onto the last of these or these onto it, never both onto the same entry."""
    if not entries:
        return []
    at = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        if not LedgerHead.objects.filter(pk=1).update(appended=F("appended") + len(entries)):
            LedgerHead.objects.get_or_create(pk=1)
            LedgerHead.objects.filter(pk=1).update(appended=F("appended") + len(entries))
        last = LedgerEntry.objects.order_by("-pk").only("hash").first()
        prev_hash = last.hash if last is not None else GENESIS
        made = []
        for action, actor, data in entries:
            # JSON round trip: what is hashed is exactly what the database gives back when verifying.
            data = json.loads(json.dumps(data, default=str))
            actor_label = actor.get_username() if actor is not None else ""
            digest = entry_hash(prev_hash=prev_hash, at=at, action=action, actor_label=actor_label, data=data)
            made.append(
                LedgerEntry(at=at, action=action, actor_label=actor_label, data=data, prev_hash=prev_hash, hash=digest)
            )
            prev_hash = digest
        return LedgerEntry.objects.bulk_create(made)


def ledger_verify() -> LedgerEntry | None:
    """The first entry whose hash or link is wrong (changed, removed or reordered entries), or None if whole."""
    previous: str | None = None
    for entry in LedgerEntry.objects.order_by("pk").iterator():
        if previous is not None and entry.prev_hash != previous:
            return entry
        expected = entry_hash(
            prev_hash=entry.prev_hash,
            at=entry.at,
            action=entry.action,
            actor_label=entry.actor_label,
            data=entry.data,
        )
        if expected != entry.hash:
            return entry
        previous = entry.hash
    return None


def ledger_prune(*, now: datetime | None = None) -> int:
    """Delete entries older than the force's retention (SocialSettings.ledger_retention_days)."""
    days = SocialSettings.load().ledger_retention_days
    before = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = LedgerEntry.objects.filter(at__lt=before).delete()
    return deleted
