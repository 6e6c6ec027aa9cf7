"""Residents' feedback on an alert (a 1-5 rating, a reply to the officer) and staff handling of replies.

A reply containing one of the force's trigger words is flagged urgent so the contact centre (24/7) sees it
first. Matching is on whole words and phrases, case-insensitive, so "scared" matches "Scared!" but
"gun" does not match "begun". Audit entries never carry the reply's text or its trigger words.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from openbeat.audit.services import log_action
from openbeat.core.users import RequestUser, StaffUser
from openbeat.delivery.models import Delivery, DeliverySettings, Rating, Reply
from openbeat.staff.scope import scope_for

REPLY_MAX_LENGTH = 2000
COMMENT_MAX_LENGTH = 1200


def trigger_words() -> list[str]:
    words = (line.strip() for line in DeliverySettings.load().trigger_words.splitlines())
    return [word for word in words if word]


def _pattern(phrase: str) -> re.Pattern[str]:
    # Any run of spaces/newlines between a phrase's words still matches ("help\nme").
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def triggers_in(text: str, words: list[str] | None = None) -> list[str]:
    """The trigger words and phrases found in `text`, in the force's order."""
    return [word for word in (trigger_words() if words is None else words) if _pattern(word).search(text)]


def rating_record(*, delivery: Delivery, score: int, comment: str = "") -> Rating:
    """Store (or change) the delivery's rating; a comment, once given, is kept when the score is clicked again."""
    if not 1 <= score <= 5:
        raise ValueError("A rating is from 1 to 5")
    defaults: dict[str, Any] = {"score": score}
    if comment.strip():
        defaults["comment"] = comment.strip()[:COMMENT_MAX_LENGTH]
    rating, _ = Rating.objects.update_or_create(delivery=delivery, defaults=defaults)
    return rating


def reply_create(*, delivery: Delivery, body: str) -> Reply:
    body = body.strip()
    if not body:
        raise ValueError("A reply needs some text")
    found = triggers_in(body)
    with transaction.atomic():
        reply = Reply.objects.create(
            delivery=delivery,
            alert_id=delivery.alert_id,
            division_id=delivery.division_id,
            body=body[:REPLY_MAX_LENGTH],
            urgent=bool(found),
            triggers=", ".join(found)[:200],
        )
        log_action("delivery.reply.create", actor=None, target=reply, data={"urgent": reply.urgent})
    return reply


def _check_can_handle(reply: Reply, user: RequestUser) -> None:
    if not user.has_perm("delivery.handle_reply") or not scope_for(user).allows_division(reply.division_id):
        raise PermissionDenied


def reply_assign(*, reply: Reply, assignee: StaffUser | None, actor: StaffUser) -> Reply:
    """Give the reply to a staff member who may handle it (None to unassign)."""
    _check_can_handle(reply, actor)
    if assignee is not None:
        _check_can_handle(reply, assignee)
    with transaction.atomic():
        reply.assigned_to = assignee
        reply.save(update_fields=["assigned_to", "updated_at"])
        log_action(
            "delivery.reply.assign",
            actor=actor,
            target=reply,
            data={"assignee": assignee.get_username() if assignee is not None else None},
        )
    return reply


def reply_set_state(*, reply: Reply, state: str, actor: StaffUser) -> Reply:
    if state not in Reply.State.values:
        raise ValueError(f"Unknown reply state {state!r}")
    _check_can_handle(reply, actor)
    with transaction.atomic():
        previous = reply.state
        reply.state = state
        reply.save(update_fields=["state", "updated_at"])
        log_action("delivery.reply.state", actor=actor, target=reply, data={"from": previous, "to": state})
    return reply
