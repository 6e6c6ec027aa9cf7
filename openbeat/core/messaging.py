"""Transactional messages to one person: sign-up confirmations, magic links, SMS verification codes.

Each message is persisted (`TransactionalMessage`), then sent by a task queued after the transaction commits,
so a message is never sent for a change that rolled back and never lost if the worker is down. A sent
message's row is deleted: its only lasting trace is what the caller audit-logged, which keeps personal data
(addresses, links that sign people in) out of the database once it has done its job. Failures stay, with
their error, and are retried with backoff where the task backend can defer.

Bulk alert delivery is not this: that is the delivery app's outbox, in batches.

Every email a resident gets (alerts, digests, sign-in links, report updates) comes from one sender identity:
`from_header()`, the force's name (its row, else settings.FORCE_NAME) with the configured address.

Templates: `<template>_subject.txt`, `<template>.txt` and, optionally, `<template>.html` (emails);
`<template>.txt` alone for SMS. The context gets `force` (the force's name and branding) added.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from datetime import timedelta
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from openbeat.core.email_frame import frame_context, frame_language, html_to_text
from openbeat.core.models import Force, TransactionalMessage
from openbeat.core.sms import TransportError, get_sms_transport
from openbeat.core.tasks import enqueue_with_commit

MAX_ATTEMPTS = 5


def from_header(force: Force | None = None) -> str:
    """The From of every email OpenBeat sends: the force's name and settings.DEFAULT_FROM_EMAIL's address."""
    name = (force or Force.current()).name or settings.FORCE_NAME
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((name, address))


def _context(context: dict[str, Any]) -> dict[str, Any]:
    return {"force": Force.current(), "base_url": settings.BASE_URL.rstrip("/"), **context}


def email_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    purpose: str,
    reply_to: str = "",
    headers: dict[str, str] | None = None,
    language: str = "",
) -> int:
    """Render and queue one email (`headers`: extra ones, e.g. List-Unsubscribe). Returns the message's id.

    `language`: the resident's; the email is then rendered in it (when offered, else English) with the force's
    frame variables (core.email_frame) for templates extending `core/email/resident.html`. A template with no
    `.txt` gets its plain-text part generated from its HTML."""
    ctx = _context(context)
    frame = frame_language(language) if language else ""
    if frame:
        ctx = {**frame_context(ctx["force"], frame), **ctx}
    with translation.override(frame) if frame else contextlib.nullcontext():
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        html: str
        try:
            html = render_to_string(f"{template}.html", ctx)
        except TemplateDoesNotExist:
            html = ""
        text: str
        try:
            text = render_to_string(f"{template}.txt", ctx)
        except TemplateDoesNotExist:
            if not html:
                raise
            text = html_to_text(html)
    message = TransactionalMessage.objects.create(
        channel=TransactionalMessage.Channel.EMAIL,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        reply_to=reply_to,
        headers=headers or {},
        purpose=purpose,
    )
    enqueue_with_commit(transactional_send, message.pk)
    return message.pk


def sms_send(*, to: str, template: str, context: dict[str, Any], purpose: str) -> int:
    """Render and queue one SMS (`to` in E.164). Returns the message's id."""
    text = render_to_string(f"{template}.txt", _context(context)).strip()
    message = TransactionalMessage.objects.create(
        channel=TransactionalMessage.Channel.SMS, to=to, body_text=text, purpose=purpose
    )
    enqueue_with_commit(transactional_send, message.pk)
    return message.pk


def _deliver(message: TransactionalMessage) -> None:
    if message.channel == TransactionalMessage.Channel.SMS:
        get_sms_transport().send(to=message.to, body=message.body_text, reference=f"tx-{message.pk}")
        return
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=from_header(),
        to=[message.to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={"Auto-Submitted": "auto-generated", **message.headers},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send()


@task()
def transactional_send(message_id: int) -> str:
    """Send one transactional message. Idempotent: a message already sent (row gone) is skipped."""
    with transaction.atomic():
        message = TransactionalMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.state == TransactionalMessage.State.PERMANENT_FAILURE:
            return "skipped"
        message.state = TransactionalMessage.State.SENDING
        message.attempts += 1
        message.save(update_fields=["state", "attempts"])
    try:
        _deliver(message)
    except Exception as error:  # SMTP errors are OSErrors or smtplib's own; SMS ones TransportError
        permanent = _is_permanent(error) or message.attempts >= MAX_ATTEMPTS
        message.state = (
            TransactionalMessage.State.PERMANENT_FAILURE if permanent else TransactionalMessage.State.TEMPORARY_FAILURE
        )
        message.last_error = _describe(error, to=message.to)[:500]
        message.save(update_fields=["state", "last_error"])
        if not permanent and transactional_send.get_backend().supports_defer:
            delay = timedelta(seconds=30 * 2 ** (message.attempts - 1))
            transactional_send.using(run_after=timezone.now() + delay).enqueue(message.pk)
        return str(message.state)
    message.delete()
    return "delivered"


def _is_permanent(error: Exception) -> bool:
    """Whether trying again cannot help: the transport said so, or the mail server refused the address (5xx)."""
    if isinstance(error, TransportError):
        return error.permanent
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return False


def _describe(error: Exception, *, to: str) -> str:
    """The error for the record, without the recipient: mail servers often quote the address they refuse."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = sorted({f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values()})
        text = f"SMTPRecipientsRefused: {'; '.join(replies)}"
    else:
        text = f"{type(error).__name__}: {error}"
    return re.sub(re.escape(to), "[recipient]", text, flags=re.IGNORECASE) if to else text
