"""In the Know survey invitations: the personal link each recipient of an alert that carries a survey gets.

A link signs (survey id, the recipient's key, their home neighbourhood id) with a timestamp, so it cannot be
forged, moved to another survey, or used after SURVEYS_INVITATION_MAX_AGE_DAYS. The recipient's key is an HMAC of
(survey id, subscriber id) under a secret derived from SECRET_KEY: the same person always gets the same key for a
survey (so one response each: the unique (survey, recipient_key) on Response), while the stored key names nobody
once the subscriber is erased. The home neighbourhood places the response when no postcode answer does.

The composer's preview shows a link with the key "preview": it opens a page that says so, and can never answer.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing

from openbeat.core.paths import absolute_url, path_for
from openbeat.core.signing import timestamp_signer

SALT = "openbeat.surveys.invitation"
PREVIEW = "preview"


class InvitationInvalid(Exception):
    message = "This link is not valid. Check you copied all of it from the message."


class InvitationExpired(InvitationInvalid):
    message = "This link has expired. The survey may still be open to everyone from the force's website."


@dataclass(frozen=True)
class Invitation:
    survey_id: int
    recipient_key: str
    neighbourhood_id: int | None

    @property
    def is_preview(self) -> bool:
        return self.recipient_key == PREVIEW


def max_age() -> timedelta:
    return timedelta(days=int(getattr(settings, "SURVEYS_INVITATION_MAX_AGE_DAYS", 90)))


def recipient_key(survey_id: int, subscriber_id: int) -> str:
    secret = hashlib.sha256(f"{SALT}.key:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(secret, f"{survey_id}:{subscriber_id}".encode(), hashlib.sha256).hexdigest()[:32]


def _url(survey_id: int, key: str, neighbourhood_id: int | None) -> str:
    signed = timestamp_signer(SALT).sign(f"{survey_id}-{key}-{neighbourhood_id or 0}")
    return absolute_url(path_for("surveys:invited", signed=signed))


def invitation_url(survey_id: int, *, subscriber_id: int, neighbourhood_id: int | None) -> str:
    """The personal link of one recipient."""
    return _url(survey_id, recipient_key(survey_id, subscriber_id), neighbourhood_id)


def preview_url(survey_id: int) -> str:
    """The stand-in link the staff preview shows: it opens a page that says it is a preview, and answers nothing."""
    return _url(survey_id, PREVIEW, None)


def invitation_read(signed: str) -> Invitation:
    """What a link carries; InvitationExpired past its age, InvitationInvalid when tampered or malformed."""
    try:
        value = timestamp_signer(SALT).unsign(signed, max_age=max_age())
    except signing.SignatureExpired as error:
        raise InvitationExpired() from error
    except signing.BadSignature as error:
        raise InvitationInvalid() from error
    parts = value.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        raise InvitationInvalid()
    return Invitation(int(parts[0]), parts[1], int(parts[2]) or None)


def invitations_for(alert_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """{alert id: (survey id, survey title)} for the alerts that carry a survey invitation (delivery reads it
    once per batch)."""
    from openbeat.surveys.models import SurveyInvitation

    rows = SurveyInvitation.objects.filter(alert_id__in=alert_ids).values_list("alert_id", "survey_id", "survey__title")
    return {alert_id: (survey_id, title) for alert_id, survey_id, title in rows}
