"""Signing up to In the Know and keeping a subscriber's choices: the sign-up itself (double opt-in), its
confirmation, the channels and language, and the code that proves a mobile number is the resident's own.

The journey's views keep a draft in the session (a plain JSON-able dict); `answers_from_draft` turns a finished
draft into `SignupAnswers`, and `draft_from_subscriber` makes a draft from a subscriber so that the
preferences page edits with the same steps. Areas, interests and demographics are written through
`services.py`, which keeps the subscriber row's derived columns right.

A sign-up with an address that already belongs to a subscriber changes nothing about that subscription and
answers exactly as a new sign-up does; the owner is told by email instead (no account enumeration). Someone
who unsubscribed may sign up again: the row is reused, pending until they confirm by email.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send, sms_send
from openbeat.core.models import Force
from openbeat.core.paths import absolute_url
from openbeat.subscriptions import tokens
from openbeat.subscriptions.links import sign_in_link
from openbeat.subscriptions.models import Consent, Demographics, Interest, Subscriber, WatchedArea
from openbeat.subscriptions.services import (
    CONTACT_CONSENT_WORDING,
    DEMOGRAPHICS_CONSENT_WORDING,
    AreaChoice,
    consent_record,
    interest_slugs_of,
    subscriber_clear_demographics,
    subscriber_set_areas,
    subscriber_set_demographics,
    subscriber_set_interests,
)

MESSAGES = "subscriptions/messages"

# Day is 07:00-22:00 (the hint on the contact page says so); "both" is day and night.
WHEN_CHOICES = [
    ("both", "Day and night"),
    ("day", "Daytime only (7am to 10pm)"),
    ("night", "Night-time only (10pm to 7am)"),
]


def contact_consent_wording() -> str:
    """The words shown above "Accept and sign up", and stored with the consent: one function for both."""
    return CONTACT_CONSENT_WORDING.format(force=Force.current().name)


def demographics_consent_wording() -> str:
    return DEMOGRAPHICS_CONSENT_WORDING.format(force=Force.current().name)


def when_from_flags(day: bool, night: bool) -> str:
    return "day" if day and not night else "night" if night and not day else "both"


def flags_from_when(when: str) -> tuple[bool, bool]:
    return when in ("both", "day"), when in ("both", "night")


@dataclass(frozen=True)
class Channels:
    """How a subscriber is contacted. `phone` is E.164 or ""; SMS is on when a phone is given."""

    email_when: str = "both"
    email_min_priority: int = Subscriber.Priority.INFORMATION
    phone: str = ""
    phone_verified: bool = False
    sms_when: str = "both"
    sms_min_priority: int = Subscriber.Priority.URGENT


@dataclass(frozen=True)
class DemographicAnswers:
    age_band: str = ""
    ethnicity: str = ""
    disability: str = ""
    wording: str = ""

    @property
    def any(self) -> bool:
        return bool(self.age_band or self.ethnicity or self.disability)


@dataclass(frozen=True)
class SignupAnswers:
    email: str
    home: AreaChoice
    interests: list[str]
    channels: Channels
    extra: list[AreaChoice] = field(default_factory=list)
    language: str = "en"
    demographics: DemographicAnswers | None = None
    contact_wording: str = ""


def normalise_email(email: str) -> str:
    # Domains are case-insensitive; the local part is kept as typed, and duplicates are found ignoring case.
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}"


# The sign-up


@transaction.atomic
def subscriber_signup(*, answers: SignupAnswers, source: str = "web") -> Subscriber:
    """Create a pending subscriber and email a confirmation link; or, when the address is taken, tell its owner.

    Returns the subscriber the address belongs to (new or existing) for tests and logs; callers must show the
    person the same thing whatever happened.
    """
    email = normalise_email(answers.email)
    existing = Subscriber.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None:
        # Whatever its status: someone who stopped messages starts them again from their preferences (their
        # old choices are still there), so a stranger typing their address can never overwrite them.
        _duplicate_notice(existing)
        return existing
    try:
        with transaction.atomic():
            subscriber = Subscriber.objects.create(email=email, source=source)
    except IntegrityError:
        # Two sign-ups with one address at once: the other one won, so this one is the duplicate.
        owner = Subscriber.objects.get(email__iexact=email)
        _duplicate_notice(owner)
        return owner
    subscriber.status = Subscriber.Status.PENDING
    subscriber.language = answers.language
    subscriber.source = source
    subscriber.save(update_fields=["status", "language", "source"])
    subscriber_set_areas(subscriber=subscriber, home=answers.home, extra=answers.extra)
    subscriber_set_interests(subscriber=subscriber, slugs=answers.interests)
    subscriber_set_channels(subscriber=subscriber, channels=answers.channels)
    consent_record(
        subscriber=subscriber,
        purpose=Consent.Purpose.CONTACT,
        wording=answers.contact_wording or contact_consent_wording(),
        source=source,
    )
    demographics = answers.demographics
    if demographics is not None and demographics.any:
        subscriber_set_demographics(
            subscriber=subscriber,
            age_band=demographics.age_band,
            ethnicity=demographics.ethnicity,
            disability=demographics.disability,
            wording=demographics.wording or demographics_consent_wording(),
            source=source,
        )
    else:
        subscriber_clear_demographics(subscriber=subscriber)
    confirmation_send(subscriber=subscriber)
    log_action(
        "subscriptions.subscriber.signup",
        actor=None,
        target=subscriber,
        data={"source": source, "again": existing is not None},
    )
    return subscriber


def confirmation_send(*, subscriber: Subscriber) -> bool:
    """Email the link that confirms the subscriber's address (on sign-up, or sent again by the contact centre)."""
    if not subscriber.email:
        return False
    email_send(
        to=subscriber.email,
        template=f"{MESSAGES}/confirm",
        context={"link": confirm_link(subscriber), "days": tokens.MAX_AGE["confirm"].days},
        purpose="subscriptions.confirm",
    )
    return True


def confirm_link(subscriber: Subscriber) -> str:
    token = tokens.make_token("confirm", subscriber)
    return absolute_url(reverse("subscriptions:confirm", kwargs={"token": token}))


def _duplicate_notice(owner: Subscriber) -> None:
    """Tell the address's owner that someone tried to sign it up. Only their own links, nothing typed."""
    assert owner.email
    manage = sign_in_link(owner)
    pending = owner.status == Subscriber.Status.PENDING and owner.email_confirmed_at is None
    stopped = owner.status == Subscriber.Status.UNSUBSCRIBED
    email_send(
        to=owner.email,
        template=f"{MESSAGES}/duplicate_signup",
        context={
            "manage_link": manage,
            "manage_lifetime": tokens.lifetime_text("manage"),
            "confirm_link": confirm_link(owner) if pending else "",
            "stopped": stopped,
        },
        purpose="subscriptions.duplicate_signup",
    )
    log_action("subscriptions.subscriber.duplicate_signup", actor=None, target=owner, data={})


def subscriber_confirm(*, subscriber: Subscriber) -> bool:
    """Activate a subscriber whose address is now confirmed (nothing else is recorded). False if it was already."""
    now = timezone.now()
    # Conditional: the same link posted twice at once confirms only once.
    changed = (
        Subscriber.objects.filter(pk=subscriber.pk, status__in=[Subscriber.Status.PENDING])
        .filter(email_confirmed_at=subscriber.email_confirmed_at)
        .update(status=Subscriber.Status.ACTIVE, email_confirmed_at=now)
    )
    if changed:
        subscriber.status = Subscriber.Status.ACTIVE
        subscriber.email_confirmed_at = now
    return bool(changed)


# Channels and language


def subscriber_set_channels(*, subscriber: Subscriber, channels: Channels) -> None:
    """Email and SMS choices. A number is kept verified only if it is the number that was verified."""
    email_day, email_night = flags_from_when(channels.email_when)
    sms_day, sms_night = flags_from_when(channels.sms_when) if channels.phone else (False, False)
    if not channels.phone:
        subscriber.phone, subscriber.phone_verified_at = None, None
    elif channels.phone != subscriber.phone or not channels.phone_verified:
        subscriber.phone = channels.phone
        subscriber.phone_verified_at = timezone.now() if channels.phone_verified else None
    elif subscriber.phone_verified_at is None:
        subscriber.phone_verified_at = timezone.now()
    subscriber.email_day, subscriber.email_night = email_day, email_night
    subscriber.sms_day, subscriber.sms_night = sms_day, sms_night
    subscriber.email_min_priority = channels.email_min_priority
    subscriber.sms_min_priority = channels.sms_min_priority
    subscriber.save(
        update_fields=[
            "phone",
            "phone_verified_at",
            "email_day",
            "email_night",
            "sms_day",
            "sms_night",
            "email_min_priority",
            "sms_min_priority",
        ]
    )


def subscriber_set_language(*, subscriber: Subscriber, language: str) -> None:
    if language not in dict(settings.SUBSCRIBER_LANGUAGES):
        raise ValueError(f"Unknown language {language!r}")
    subscriber.language = language
    Subscriber.objects.filter(pk=subscriber.pk).update(language=language)


@transaction.atomic
def subscriber_apply_section(*, subscriber: Subscriber, section: str, draft: dict[str, Any]) -> None:
    """Save one section of the preferences from a draft edited on the sign-up's pages."""
    if section == "areas":
        subscriber_set_areas(
            subscriber=subscriber,
            home=area_from_draft(draft["home"]),
            extra=[area_from_draft(a) for a in draft.get("extra", [])],
        )
    elif section == "interests":
        subscriber_set_interests(subscriber=subscriber, slugs=[*draft.get("topics", []), *draft.get("groups", [])])
    elif section == "channels":
        subscriber_set_channels(subscriber=subscriber, channels=channels_from_draft(draft))
    elif section == "language":
        subscriber_set_language(subscriber=subscriber, language=draft["language"])
    elif section == "demographics":
        answers = draft.get("demographics")
        if answers and any(answers.get(k) for k in ("age_band", "ethnicity", "disability")):
            subscriber_set_demographics(
                subscriber=subscriber,
                age_band=answers.get("age_band", ""),
                ethnicity=answers.get("ethnicity", ""),
                disability=answers.get("disability", ""),
                wording=answers.get("wording") or demographics_consent_wording(),
                source="web",
            )
        else:
            subscriber_clear_demographics(subscriber=subscriber)
    else:
        raise ValueError(f"Unknown section {section!r}")
    log_action("subscriptions.subscriber.change", actor=None, target=subscriber, data={"section": section})


# Proving a mobile number: a 6-digit code by SMS, kept only as a keyed hash in the session


CODE_SECONDS = 10 * 60
CODE_ATTEMPTS = 5
CODE_KEY = "phone_code"


class PhoneCodeError(Exception):
    message = "Send a new code, then enter it here"


class PhoneCodeExpired(PhoneCodeError):
    message = "That code has expired. Send a new code"


class PhoneCodeTooManyAttempts(PhoneCodeError):
    message = "You have entered a wrong code too many times. Send a new code"


class PhoneCodeWrong(PhoneCodeError):
    message = "The code is not right. Check the text message and try again"


def _code_hash(phone: str, code: str) -> str:
    # Keyed with SECRET_KEY and bound to the number: a session that leaks reveals neither code nor a reusable hash.
    return salted_hmac("openbeat.subscriptions.phone_code", f"{phone}:{code}", algorithm="sha256").hexdigest()


def phone_code_pending(store: MutableMapping[str, Any], phone: str) -> bool:
    """Whether a code has been sent to this number (even one since expired or used up)."""
    record = store.get(CODE_KEY) or {}
    return record.get("phone") == phone


def phone_code_send(*, store: MutableMapping[str, Any], phone: str) -> None:
    """Text a new code to `phone`, replacing any earlier one in `store` (the session's draft)."""
    code = f"{secrets.randbelow(10**6):06d}"
    store[CODE_KEY] = {
        "phone": phone,
        "hash": _code_hash(phone, code),
        "expires": time.time() + CODE_SECONDS,
        "attempts": 0,
    }
    sms_send(
        to=phone,
        template=f"{MESSAGES}/phone_code",
        context={"code": code, "minutes": CODE_SECONDS // 60},
        purpose="subscriptions.phone_code",
    )


def phone_code_check(*, store: MutableMapping[str, Any], phone: str, code: str) -> None:
    """Accept the code sent to `phone` or raise a PhoneCodeError saying why not. A code works once."""
    record = store.get(CODE_KEY)
    if not record or record.get("phone") != phone:
        raise PhoneCodeError()
    if record["attempts"] >= CODE_ATTEMPTS:
        raise PhoneCodeTooManyAttempts()
    if record["expires"] < time.time():
        raise PhoneCodeExpired()
    record["attempts"] += 1
    store[CODE_KEY] = record
    if not constant_time_compare(record["hash"], _code_hash(phone, code)):
        raise PhoneCodeTooManyAttempts() if record["attempts"] >= CODE_ATTEMPTS else PhoneCodeWrong()
    del store[CODE_KEY]


# Drafts: what the journey keeps in the session, and the subscriber's choices in the same shape


def answers_from_draft(draft: dict[str, Any]) -> SignupAnswers:
    """The answers of a complete draft (the journey checks completeness before it calls this)."""
    demographics = draft.get("demographics") or None
    return SignupAnswers(
        email=draft["email"],
        home=area_from_draft(draft["home"]),
        extra=[area_from_draft(a) for a in draft.get("extra", [])],
        interests=[*draft.get("topics", []), *draft.get("groups", [])],
        channels=channels_from_draft(draft),
        language=draft.get("language", "en"),
        demographics=DemographicAnswers(**demographics) if demographics else None,
        contact_wording=contact_consent_wording(),
    )


def area_from_draft(area: dict[str, Any]) -> AreaChoice:
    return AreaChoice(
        neighbourhood_id=area["neighbourhood_id"],
        postcode=area.get("postcode", ""),
        lat=area.get("lat"),
        lon=area.get("lon"),
        label=area.get("label", ""),
    )


def area_to_draft(area: AreaChoice | WatchedArea) -> dict[str, Any]:
    return {
        "neighbourhood_id": area.neighbourhood_id,
        "postcode": area.postcode,
        "lat": area.lat,
        "lon": area.lon,
        "label": area.label,
    }


def channels_from_draft(draft: dict[str, Any]) -> Channels:
    phone = draft.get("phone", "") if draft.get("sms") else ""
    return Channels(
        email_when=draft.get("email_when", "both"),
        email_min_priority=int(draft.get("email_min_priority", Subscriber.Priority.INFORMATION)),
        phone=phone,
        phone_verified=bool(phone) and draft.get("phone_verified") == phone,
        sms_when=draft.get("sms_when", "both"),
        sms_min_priority=int(draft.get("sms_min_priority", Subscriber.Priority.URGENT)),
    )


def draft_from_subscriber(subscriber: Subscriber) -> dict[str, Any]:
    """A complete draft holding the subscriber's current choices, for the preferences' change pages."""
    areas = list(subscriber.areas.all())
    home = next((a for a in areas if a.is_home), None)
    kinds = dict(Interest.objects.values_list("slug", "kind"))
    slugs = interest_slugs_of(subscriber)
    demographics = Demographics.objects.filter(subscriber=subscriber).first()
    draft: dict[str, Any] = {
        "extra": [area_to_draft(a) for a in areas if not a.is_home],
        "areas_done": True,
        "topics": [s for s in slugs if kinds.get(s) == Interest.Kind.TOPIC],
        "groups": [s for s in slugs if kinds.get(s) == Interest.Kind.GROUP],
        "email": subscriber.email or "",
        "email_when": when_from_flags(subscriber.email_day, subscriber.email_night),
        "email_min_priority": subscriber.email_min_priority,
        "sms": bool(subscriber.phone),
        "phone": subscriber.phone or "",
        "phone_verified": subscriber.phone if subscriber.phone_verified_at else "",
        "sms_when": when_from_flags(subscriber.sms_day, subscriber.sms_night) if subscriber.phone else "both",
        "sms_min_priority": subscriber.sms_min_priority,
        "language": subscriber.language,
        "demographics": (
            {
                "age_band": demographics.age_band,
                "ethnicity": demographics.ethnicity,
                "disability": demographics.disability,
                "wording": "",
            }
            if demographics
            else None
        ),
        "about_you_done": True,
    }
    if home is not None:
        draft["home"] = area_to_draft(home)
        draft["home_confirmed"] = home_key(draft["home"])
    return draft


def home_key(home: dict[str, Any] | None) -> str:
    """What the resident confirms on "Is this your neighbourhood?": a new home needs confirming again."""
    if not home:
        return ""
    return f"{home.get('postcode', '')}/{home['neighbourhood_id']}"
