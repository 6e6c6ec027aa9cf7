"""Writes for residents' concerns: a response is started (kept unconfirmed, a link emailed), then confirmed from the
link, when it counts, replacing that person's earlier response for the same neighbourhood and month.

The email address is used once, to send the link, and never stored: the rows keep a keyed hash of it
(`email_hash`), different for each neighbourhood and month, enough to find "the same person this month" and
nothing else. The link is a generic signed token (core.tokens) naming the unconfirmed response; it works once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from openbeat.areas.models import Neighbourhood
from openbeat.audit.services import log_action
from openbeat.concerns.models import COMMENT_MAX, MAX_CHOICES, Concern, ConcernResponse, PendingConcernResponse
from openbeat.core.messaging import email_send
from openbeat.core.months import month_of, month_start
from openbeat.core.paths import absolute_url
from openbeat.core.tokens import (
    LinkInvalid,
    LinkUsed,
    signed_token_make,
    signed_token_read,
    signed_token_use_once,
    signed_token_used,
)

CONFIRM_PURPOSE = "concerns.confirm"
LINK_LIFETIME = timedelta(days=3)
LIFETIME_TEXT = "3 days"


@dataclass
class ConcernsInvalid(Exception):
    errors: dict[str, str] = field(default_factory=dict)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_hash(*, email: str, neighbourhood: Neighbourhood, month: str) -> str:
    """A keyed hash (HMAC-SHA256 with SECRET_KEY) of the address for one neighbourhood and month."""
    value = f"{neighbourhood.pk}:{month}:{normalise_email(email)}"
    return salted_hmac("openbeat.concerns.email", value, algorithm="sha256").hexdigest()


def current_month() -> str:
    return month_of(timezone.localdate())


def month_label(month: str) -> str:
    return f"{month_start(month):%B %Y}"


def _valid_choices(concern_ids: list[int]) -> list[Concern]:
    ids = list(dict.fromkeys(concern_ids))
    if not ids:
        raise ConcernsInvalid({"concerns": "Choose at least one concern"})
    if len(ids) > MAX_CHOICES:
        raise ConcernsInvalid({"concerns": f"Choose up to {MAX_CHOICES} concerns"})
    concerns = list(Concern.objects.filter(pk__in=ids, active=True))
    if len(concerns) != len(ids):
        raise ConcernsInvalid({"concerns": "Choose concerns from the list"})
    return concerns


def confirm_link(pending: PendingConcernResponse) -> str:
    token = signed_token_make(CONFIRM_PURPOSE, str(pending.public_id))
    return absolute_url(reverse("concerns:confirm", kwargs={"token": token}))


def concern_response_start(
    *,
    neighbourhood: Neighbourhood,
    email: str,
    concern_ids: list[int],
    comment: str = "",
    month: str | None = None,
    request: HttpRequest | None = None,
) -> PendingConcernResponse:
    """Keep the response unconfirmed and email its link to `email`. ConcernsInvalid when it breaks a rule."""
    concerns = _valid_choices(concern_ids)
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise ConcernsInvalid({"comment": f"Your comment must be {COMMENT_MAX} characters or fewer"})
    try:
        validate_email(normalise_email(email))
    except ValidationError as error:
        raise ConcernsInvalid(
            {"email": "Enter an email address in the correct format, like name@example.com"}
        ) from error
    month = month or current_month()
    # Unconfirmed responses whose link has died are of no use to anyone.
    PendingConcernResponse.objects.filter(created_at__lt=timezone.now() - LINK_LIFETIME).delete()
    pending = PendingConcernResponse.objects.create(
        neighbourhood=neighbourhood,
        month=month,
        email_hash=email_hash(email=email, neighbourhood=neighbourhood, month=month),
        concern_ids=[c.pk for c in concerns],
        comment=comment,
    )
    email_send(
        to=normalise_email(email),
        template="concerns/email/confirm",
        context={
            "neighbourhood": neighbourhood,
            "month": month_label(month),
            "concerns": [c.name for c in concerns],
            "link": confirm_link(pending),
            "lifetime": LIFETIME_TEXT,
        },
        purpose="concerns.confirm",
    )
    log_action(
        "concerns.response.started",
        actor=None,
        data={"neighbourhood": neighbourhood.code, "month": month},
        division=neighbourhood.division,
        request=request,
    )
    return pending


def concern_response_read(token: str) -> PendingConcernResponse:
    """The unconfirmed response a link is for; LinkExpired, LinkUsed or LinkInvalid."""
    value = signed_token_read(CONFIRM_PURPOSE, token, max_age=LINK_LIFETIME)
    if signed_token_used(token):
        raise LinkUsed()
    try:
        pending = PendingConcernResponse.objects.select_related("neighbourhood").filter(public_id=value).first()
    except (ValidationError, ValueError) as error:
        raise LinkInvalid() from error
    if pending is None:
        raise LinkInvalid()
    return pending


@dataclass
class Confirmed:
    response: ConcernResponse
    replaced: bool  # an earlier response this month, by the same person, was replaced


def concern_response_confirm(*, token: str, request: HttpRequest | None = None) -> Confirmed:
    """Count the response (once: the link is then used). A confirmed response of the same person for the same
    neighbourhood and month is replaced by this one."""
    pending = concern_response_read(token)
    if not signed_token_use_once(token, max_age=LINK_LIFETIME):
        raise LinkUsed()
    now = timezone.now()
    key = {"neighbourhood": pending.neighbourhood, "month": pending.month, "email_hash": pending.email_hash}
    with transaction.atomic():
        response = ConcernResponse.objects.select_for_update().filter(**key).first()
        replaced = response is not None
        if response is None:
            try:
                with transaction.atomic():
                    response = ConcernResponse.objects.create(**key, comment=pending.comment, confirmed_at=now)
            except IntegrityError:  # the same person's other link, confirmed at the same moment
                response = ConcernResponse.objects.select_for_update().get(**key)
                replaced = True
        if replaced:
            response.comment, response.confirmed_at = pending.comment, now
            response.save(update_fields=["comment", "confirmed_at"])
        response.concerns.set(Concern.objects.filter(pk__in=pending.concern_ids))
        pending.delete()
    log_action(
        "concerns.response.confirmed",
        actor=None,
        target=response,
        data={"neighbourhood": pending.neighbourhood.code, "month": pending.month, "replaced": replaced},
        division=pending.neighbourhood.division,
        request=request,
    )
    return Confirmed(response=response, replaced=replaced)
