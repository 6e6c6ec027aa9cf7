"""Residents' feedback on an alert (a 1-5 rating, a reply to the officer) and staff handling of replies.

A reply containing one of the force's trigger words is flagged urgent so the contact centre (24/7) sees it
first, and the on-duty team is told at once (DeliverySettings' duty email and, if set, SMS: a link to the
reply, never its text) until someone picks it up. Matching is on whole words and phrases, case-insensitive,
so "scared" matches "Scared!" but "gun" does not match "begun". Audit entries never carry the reply's text
or its trigger words.

Staff answer a reply (`reply_answer`): the answer is stored, then a task after the commit emails it to the
resident through core.messaging, reading their address only then; the email carries the same signed reply
link as the alert, so the resident can write back and the conversation goes on. Staff never see the address
unless they hold `delivery.view_reply_address`, and each look is audit-logged (`reply_address_view`).

Rating comments are hidden until a moderator shows them (see Rating.comment_shown).
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.alerts.selectors import alert_can
from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send, sms_send
from openbeat.core.paths import absolute_url
from openbeat.core.tasks import enqueue_with_commit
from openbeat.core.users import RequestUser, StaffUser, user_name
from openbeat.delivery.links import reply_url
from openbeat.delivery.models import Delivery, DeliverySettings, Rating, Reply, ReplyAnswer
from openbeat.staff.scope import scope_for
from openbeat.subscriptions.links import preferences_link

logger = logging.getLogger(__name__)

REPLY_MAX_LENGTH = 2000
ANSWER_MAX_LENGTH = 4000
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
    comment = comment.strip()[:COMMENT_MAX_LENGTH]
    if comment:
        defaults["comment"] = comment
        # A changed comment has not been read by a moderator: hidden again until one shows it.
        if not Rating.objects.filter(delivery=delivery, comment=comment).exists():
            defaults.update(comment_shown=False, comment_moderated_by=None, comment_moderated_at=None)
    rating, _ = Rating.objects.update_or_create(delivery=delivery, defaults=defaults)
    return rating


def rating_comment_set_shown(*, rating: Rating, shown: bool, actor: StaffUser) -> Rating:
    """Show a rating's comment to everyone who may see the alert's statistics, or hide it again."""
    alert = rating.delivery.alert
    if not actor.has_perm("delivery.moderate_rating") or not alert_can(actor, alert, "view"):
        raise PermissionDenied
    with transaction.atomic():
        rating.comment_shown = shown
        rating.comment_moderated_by = actor
        rating.comment_moderated_at = timezone.now()
        # update_fields without "at": moderating is not the resident rating again.
        rating.save(update_fields=["comment_shown", "comment_moderated_by", "comment_moderated_at"])
        log_action(
            "delivery.rating.comment_show" if shown else "delivery.rating.comment_hide",
            actor=actor,
            target=rating,
            data={"alert": alert.pk},
            division=alert.division,
        )
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
        if reply.urgent:
            _duty_notify(reply)
    return reply


def _duty_notify(reply: Reply) -> None:
    """Tell the on-duty team of an urgent reply: an email and, if set, an SMS, queued with the reply's commit.

    They carry the division, the alert and a link to the reply in the back office, never the reply's text
    (reading it there is audit-logged) nor its trigger words."""
    duty = DeliverySettings.load()
    link = absolute_url(reverse("delivery_staff:reply", args=[reply.pk]))
    context = {"reply": reply, "alert": reply.alert, "division": reply.division, "link": link}
    if duty.duty_email:
        email_send(
            to=duty.duty_email, template="delivery/email/urgent_reply", context=context, purpose="delivery.urgent"
        )
    if duty.duty_sms:
        sms_send(to=duty.duty_sms, template="delivery/sms/urgent_reply", context=context, purpose="delivery.urgent")
    if not (duty.duty_email or duty.duty_sms):
        logger.warning("Urgent reply %s: no on-duty email or SMS is set in Settings > Delivery settings", reply.pk)
    log_action(
        "delivery.reply.duty_notify",
        actor=None,
        target=reply,
        data={"email": bool(duty.duty_email), "sms": bool(duty.duty_sms)},
    )


def _check_can_handle(reply: Reply, user: RequestUser) -> None:
    if not user.has_perm("delivery.handle_reply") or not scope_for(user).allows_division(reply.division_id):
        raise PermissionDenied


def reply_pick_up(*, reply: Reply, actor: StaffUser) -> Reply:
    """Take a reply on: records who and when (the first to do so; a second pick-up changes nothing), stops an
    urgent reply's timer, assigns it to them if nobody has it yet and moves a new reply to in progress."""
    _check_can_handle(reply, actor)
    with transaction.atomic():
        locked = Reply.objects.select_for_update().get(pk=reply.pk)
        if locked.picked_up_at is not None:
            return locked
        locked.picked_up_by = actor
        locked.picked_up_at = timezone.now()
        if locked.assigned_to_id is None:
            locked.assigned_to = actor
        if locked.state == Reply.State.NEW:
            locked.state = Reply.State.IN_PROGRESS
        locked.save(update_fields=["picked_up_by", "picked_up_at", "assigned_to", "state", "updated_at"])
        log_action(
            "delivery.reply.pick_up",
            actor=actor,
            target=locked,
            data={"urgent": locked.urgent, "waited_seconds": int(locked.waited().total_seconds())},
        )
    return locked


def reply_answer(*, reply: Reply, body: str, actor: StaffUser, key: uuid.UUID | None = None) -> ReplyAnswer:
    """Store a member of staff's answer and queue its email to the resident (after the commit).

    `key` is the answer form's own: the same form sent twice gives back the first answer and sends once."""
    _check_can_handle(reply, actor)
    body = body.strip()
    if not body:
        raise ValueError("An answer needs some text")
    if len(body) > ANSWER_MAX_LENGTH:
        raise ValueError(f"An answer is at most {ANSWER_MAX_LENGTH} characters")
    key = key or uuid.uuid4()
    with transaction.atomic():
        existing = ReplyAnswer.objects.filter(key=key).first()
        if existing is not None:
            if existing.reply_id != reply.pk:
                raise PermissionDenied
            return existing
        answer = ReplyAnswer.objects.create(
            reply=reply, body=body, author=actor, author_name=user_name(actor)[:200], key=key
        )
        if reply.picked_up_at is None or reply.state == Reply.State.NEW:
            reply = reply_pick_up(reply=reply, actor=actor)
        log_action(
            "delivery.reply.answer",
            actor=actor,
            target=reply,
            data={"answer": answer.pk},
        )
        from openbeat.delivery.tasks import reply_answer_send_task

        enqueue_with_commit(reply_answer_send_task, answer.pk)
    return answer


def reply_answer_send(answer_id: int) -> str:
    """Email one answer to the resident (the task's body). Safe to run twice: only a queued answer is sent.

    The address is read here, from the subscriber, and goes only into core.messaging's message (deleted once
    sent). A resident who has gone (erased, or no email address) leaves the answer kept and marked unsent."""
    with transaction.atomic():
        answer = (
            ReplyAnswer.objects.select_for_update(of=("self",))
            .select_related("reply__alert", "reply__delivery__subscriber")
            .filter(pk=answer_id)
            .first()
        )
        if answer is None or answer.email_state != ReplyAnswer.EmailState.QUEUED:
            return "skipped"
        reply = answer.reply
        delivery = reply.delivery
        subscriber = delivery.subscriber if delivery is not None else None
        address = subscriber.email if subscriber is not None else None
        if delivery is None or subscriber is None or not address:
            answer.email_state = ReplyAnswer.EmailState.NO_ADDRESS
            answer.save(update_fields=["email_state"])
            return str(answer.email_state)
        language = subscriber.language
        email_send(
            to=address,
            template="delivery/email/reply_answer",
            context={
                "kind": "answer",
                "alert": reply.alert,
                "alert_title": _title_in(reply.alert, delivery.language),
                "reply": reply,
                "answer": answer,
                "reply_link": reply_url(delivery),
                "preferences": preferences_link(subscriber),
            },
            purpose="delivery.reply.answer",
            language=language,
        )
        answer.email_state = ReplyAnswer.EmailState.SENT
        answer.emailed_at = timezone.now()
        answer.save(update_fields=["email_state", "emailed_at"])
    return str(answer.email_state)


def _title_in(alert: Alert, language: str) -> str:
    """The alert's title as the resident got it: its translation into their language, if it has one."""
    version = alert.translations.filter(language=language).values_list("title", flat=True).first()
    return version or alert.title


def reply_address_view(*, reply: Reply, actor: StaffUser) -> str | None:
    """The resident's email address, for staff whose role allows it; every look is audit-logged."""
    _check_can_handle(reply, actor)
    if not actor.has_perm("delivery.view_reply_address"):
        raise PermissionDenied
    subscriber = reply.delivery.subscriber if reply.delivery is not None else None
    log_action(
        "delivery.reply.address_view",
        actor=actor,
        target=reply,
        data={"found": bool(subscriber and subscriber.email)},
    )
    return subscriber.email if subscriber is not None else None


def conversation(reply: Reply) -> list[Reply]:
    """Every reply sent through the same message's link, oldest first, each with its answers prefetched."""
    if reply.delivery_id is None:
        replies = Reply.objects.filter(pk=reply.pk)
    else:
        replies = Reply.objects.filter(delivery_id=reply.delivery_id)
    return list(replies.prefetch_related("answers").order_by("created_at", "pk"))


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
