"""Writes for watch schemes.

Coordinators (no staff login) register a scheme, confirm their email through a one-use magic link, then manage
it from their session: its details, its households, a co-coordinator. Staff with `schemes.manage_scheme` in the
scheme's division verify, suspend and edit it. Every write is audit-logged (`schemes.<thing>.<verb>`).

In the Know: a verified coordinator of a verified scheme who asked to join gets the seeded interest group
"neighbourhood-watch-coordinator" (subscriptions' 0002 seed), so staff can target coordinators with an alert.
Consent is never assumed: a new address goes through In the Know's own double opt-in sign-up (pending until they
confirm), and an existing subscriber is only given the group, never re-subscribed or re-activated.

Errors: `SchemeInvalid(errors={field: message})` for what a person can correct, `SchemePermissionError` (a
PermissionDenied), `SchemeStateError(message)`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from openbeat.areas.models import Neighbourhood
from openbeat.areas.postcodes import PostcodeError, postcode_locate
from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send
from openbeat.core.models import Force
from openbeat.core.pagecache import public_content_changed
from openbeat.core.paths import absolute_url
from openbeat.core.tokens import LinkInvalid, LinkUsed, signed_token_make, signed_token_read, signed_token_use_once
from openbeat.core.tokens import signed_token_used as _used
from openbeat.core.users import RequestUser, StaffUser
from openbeat.schemes.geometry import (
    RADIUS_CHOICES,
    AreaError,
    area_fields,
    check_drawn,
    circle,
    parse_geojson,
    union_of,
)
from openbeat.schemes.models import DESCRIPTION_MAX, MAX_HOUSEHOLDS, NAME_MAX, Coordinator, Scheme
from openbeat.staff.scope import scope_for

PERMISSION = "schemes.manage_scheme"
LINK_PURPOSE = "schemes.coordinator"
LINK_LIFETIME = timedelta(days=3)
LIFETIME_TEXT = "3 days"
ITK_GROUP = "neighbourhood-watch-coordinator"
ITK_WORDING = (
    "I agree to {force} adding me to its In the Know group for watch scheme coordinators, so that it can send me "
    "messages for coordinators by email. In the Know asks me to confirm first, and I can stop them at any time."
)
MAX_COORDINATORS = 10
# The finder's own pages sit beside the schemes' (/watch-schemes/<slug>/): no scheme may take their names.
RESERVED_SLUGS = {"register", "sent", "sign-in", "sign-out", "confirm", "manage"}


class SchemePermissionError(PermissionDenied):
    def __init__(self, message: str = "You cannot change this scheme") -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SchemeInvalid(Exception):
    errors: dict[str, str] = field(default_factory=dict)


class SchemeStateError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def itk_wording() -> str:
    """The words beside the In the Know box, stored with the coordinator's choice: one function for both."""
    return ITK_WORDING.format(force=Force.current().name)


# ------------------------------------------------------------------------------------------------ checks


def can_manage(user: RequestUser, scheme: Scheme) -> bool:
    if user is None or not user.is_authenticated or not user.has_perm(PERMISSION):
        return False
    return scope_for(user).allows_division(scheme.division_id)


def _check_staff(actor: RequestUser, scheme: Scheme) -> None:
    if not can_manage(actor, scheme):
        raise SchemePermissionError()


def _check_coordinator(coordinator: Coordinator, scheme: Scheme) -> None:
    if coordinator.scheme_id != scheme.pk or not coordinator.is_verified:
        raise SchemePermissionError("Only this scheme's coordinators can change it")
    if scheme.status == Scheme.Status.SUSPENDED:
        raise SchemeStateError("This scheme is suspended. Contact the force to restart it")


def _log(action: str, *, actor: RequestUser | None, scheme: Scheme, request: HttpRequest | None, **data: Any) -> None:
    log_action(
        action,
        actor=actor,
        target=scheme,
        data={"scheme": scheme.pk, **data},
        division=scheme.division,
        request=request,
    )


# ------------------------------------------------------------------------------------------------ validation


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _email(value: str, errors: dict[str, str], name: str = "email") -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
        if len(email) > 254:
            raise ValidationError("long")
    except ValidationError:
        errors[name] = "Enter an email address in the correct format, like name@example.com"
    return email


def _details(*, name: str, kind: str, description: str, households: Any, errors: dict[str, str]) -> dict[str, Any]:
    name = _text(name)
    description = (description or "").strip()
    if not name:
        errors["name"] = "Enter the scheme's name"
    elif len(name) > NAME_MAX:
        errors["name"] = f"The name must be {NAME_MAX} characters or fewer"
    if kind not in Scheme.Kind.values:
        errors["kind"] = "Choose the type of scheme"
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"The description must be {DESCRIPTION_MAX} characters or fewer"
    try:
        count = int(households)
        if not 0 <= count <= MAX_HOUSEHOLDS:
            raise ValueError
    except (TypeError, ValueError):
        errors["households"] = f"Enter the number of households as a whole number from 0 to {MAX_HOUSEHOLDS:,}"
        count = 0
    return {"name": name, "kind": kind, "description": description, "households": count}


def _valid_phone(phone: str) -> bool:
    digits = sum(c.isdigit() for c in phone)
    return len(phone) <= 30 and 7 <= digits <= 15 and all(c.isdigit() or c in "+() -" for c in phone)


def _coordinator_fields(
    *, name: str, email: str, phone: str, errors: dict[str, str], name_key: str = "name"
) -> dict[str, str]:
    name = _text(name)
    phone = _text(phone)
    if not name:
        errors[name_key] = "Enter the coordinator's full name"
    elif len(name) > 120:
        errors[name_key] = "The name must be 120 characters or fewer"
    email = _email(email, errors)
    if phone and not _valid_phone(phone):
        errors["phone"] = "Enter a telephone number, like 01632 960 001 or 07700 900 982"
    return {"name": name, "email": email, "phone": phone}


def _unique_slug(name: str, kind: str) -> str:
    base = (slugify(name) or slugify(Scheme.Kind(kind).label) or "scheme")[:180]
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Scheme.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# ------------------------------------------------------------------------------------------------ magic links


def coordinator_link(coordinator: Coordinator) -> str:
    # A nonce: two links asked for in the same second are still two links, each usable once.
    token = signed_token_make(LINK_PURPOSE, f"{coordinator.public_id}:{secrets.token_urlsafe(6)}")
    return absolute_url(reverse("schemes:confirm", kwargs={"token": token}))


def _send_link(coordinator: Coordinator, *, why: str) -> None:
    email_send(
        to=coordinator.email,
        template="schemes/email/link",
        context={
            "coordinator": coordinator,
            "scheme": coordinator.scheme,
            "why": why,
            "link": coordinator_link(coordinator),
            "lifetime": LIFETIME_TEXT,
        },
        purpose=f"schemes.link.{why}",
    )


def link_read(token: str) -> Coordinator:
    """The coordinator an emailed link is for; LinkInvalid (or LinkExpired, LinkUsed) when it cannot be used."""
    value = signed_token_read(LINK_PURPOSE, token, max_age=LINK_LIFETIME)
    if _used(token):
        raise LinkUsed()
    public_id = value.split(":", 1)[0]
    try:
        coordinator = Coordinator.objects.select_related("scheme__division").filter(public_id=public_id).first()
    except (ValidationError, ValueError) as error:
        raise LinkInvalid() from error
    if coordinator is None:
        raise LinkInvalid()
    return coordinator


def link_confirm(*, token: str, request: HttpRequest | None = None) -> Coordinator:
    """Open an emailed link, once: the coordinator's address is verified and they may manage the scheme."""
    coordinator = link_read(token)
    if not signed_token_use_once(token, max_age=LINK_LIFETIME):
        raise LinkUsed()
    with transaction.atomic():
        first = coordinator.email_verified_at is None
        if first:
            coordinator.email_verified_at = timezone.now()
            coordinator.save(update_fields=["email_verified_at"])
            _log(
                "schemes.coordinator.verify",
                actor=None,
                scheme=coordinator.scheme,
                request=request,
                coordinator=coordinator.pk,
            )
        if coordinator.scheme.is_verified:
            coordinator_itk_join(coordinator=coordinator)
    return coordinator


def sign_in_request(*, email: str, request: HttpRequest | None = None) -> int:
    """Email a sign-in link for each scheme this address coordinates. The same answer whatever the address (no
    enumeration): callers show "if that address coordinates a scheme, we have sent a link"."""
    errors: dict[str, str] = {}
    email = _email(email, errors)
    if errors:
        raise SchemeInvalid(errors)
    sent = 0
    for coordinator in (
        Coordinator.objects.select_related("scheme").filter(email=email).exclude(scheme__status=Scheme.Status.SUSPENDED)
    ):
        _send_link(coordinator, why="sign-in")
        sent += 1
    return sent


# ------------------------------------------------------------------------------------------------ registering


def _area_from_postcode(postcode: str, radius_m: Any, errors: dict[str, str]) -> tuple[Any, dict[str, Any]]:
    try:
        location = postcode_locate(postcode)
    except PostcodeError as error:
        errors["postcode"] = error.message
        return None, {}
    try:
        radius = int(radius_m)
        if radius not in RADIUS_CHOICES:
            raise ValueError
    except (TypeError, ValueError):
        errors["radius"] = "Choose how far the scheme reaches"
        return location, {}
    fields = area_fields(circle(lat=location.lat, lon=location.lon, radius_m=radius))
    # The centre is the postcode itself: the distance people see is to where the scheme says it is.
    fields.update(centre_lat=location.lat, centre_lon=location.lon)
    return location, fields


def _drawn_area(text: str, errors: dict[str, str], *, near: tuple[float, float] | None = None) -> dict[str, Any]:
    """The Scheme columns for an area drawn on the map (or pasted as GeoJSON), checked by geometry.check_drawn; {}
    with errors["area_geojson"] set when it cannot be used."""
    try:
        geojson = parse_geojson(text)
        check_drawn(geojson, near=near)
        return area_fields(geojson)
    except AreaError as error:
        errors["area_geojson"] = error.message
        return {}


@transaction.atomic
def scheme_register(
    *,
    name: str,
    kind: str,
    description: str = "",
    postcode: str,
    radius_m: Any,
    households: Any,
    coordinator_name: str,
    email: str,
    phone: str = "",
    show_contact: bool = False,
    itk_opt_in: bool = False,
    area_geojson: str = "",
    request: HttpRequest | None = None,
) -> Coordinator:
    """A new scheme, waiting for the force to verify it, and its lead coordinator, waiting for the emailed link.

    Its area is a circle of `radius_m` around the postcode, or, when one is given, the area drawn on the map
    (`area_geojson`), which must lie around that postcode and inside the force's area."""
    errors: dict[str, str] = {}
    details = _details(name=name, kind=kind, description=description, households=households, errors=errors)
    person = _coordinator_fields(
        name=coordinator_name, email=email, phone=phone, errors=errors, name_key="coordinator_name"
    )
    location, area = _area_from_postcode(postcode, radius_m, errors)
    if (area_geojson or "").strip() and location is not None:
        errors.pop("radius", None)  # a drawn area replaces the circle
        area = _drawn_area(area_geojson, errors, near=(location.lat, location.lon))
    if errors:
        raise SchemeInvalid(errors)
    assert location is not None
    scheme = Scheme.objects.create(
        **details,
        slug=_unique_slug(details["name"], details["kind"]),
        division=location.neighbourhood.division,
        postcode=location.postcode,
        area_source=Scheme.AreaSource.DRAWN,
        **area,
    )
    coordinator = Coordinator.objects.create(
        scheme=scheme,
        name=person["name"],
        email=person["email"],
        phone=person["phone"],
        show_contact=bool(show_contact),
        itk_opt_in=bool(itk_opt_in),
        itk_wording=itk_wording() if itk_opt_in else "",
        is_lead=True,
    )
    _send_link(coordinator, why="register")
    _log("schemes.scheme.register", actor=None, scheme=scheme, request=request, coordinator=coordinator.pk)
    return coordinator


# ------------------------------------------------------------------------------------------------ coordinators


@transaction.atomic
def scheme_update_by_coordinator(
    *,
    scheme: Scheme,
    coordinator: Coordinator,
    name: str,
    kind: str,
    description: str,
    households: Any,
    show_contact: bool,
    area_geojson: str = "",
    request: HttpRequest | None = None,
) -> Scheme:
    """A coordinator changes the scheme's details, whether their own contact details are shown and, when they
    drew a new one (`area_geojson`), its area (which must lie inside the force's area)."""
    _check_coordinator(coordinator, scheme)
    errors: dict[str, str] = {}
    details = _details(name=name, kind=kind, description=description, households=households, errors=errors)
    area = _drawn_area(area_geojson, errors) if (area_geojson or "").strip() else {}
    if errors:
        raise SchemeInvalid(errors)
    changes: dict[str, Any] = {**details, **area}
    if area:
        changes["area_source"] = Scheme.AreaSource.DRAWN
    for key, value in changes.items():
        setattr(scheme, key, value)
    scheme.save(update_fields=[*changes, "updated_at"])
    if area:
        scheme.neighbourhoods.clear()
    Coordinator.objects.filter(pk=coordinator.pk).update(show_contact=bool(show_contact))
    coordinator.show_contact = bool(show_contact)
    _log(
        "schemes.scheme.change",
        actor=None,
        scheme=scheme,
        request=request,
        coordinator=coordinator.pk,
        households=details["households"],
        area_changed=bool(area),
    )
    if scheme.is_verified:
        public_content_changed()
    return scheme


def coordinator_add(
    *,
    scheme: Scheme,
    by: Coordinator,
    name: str,
    email: str,
    phone: str = "",
    request: HttpRequest | None = None,
) -> Coordinator:
    """A co-coordinator, invited by a coordinator: they confirm by the emailed link, and choose for themselves
    whether their details are shown and whether to join In the Know (both off until they do)."""
    _check_coordinator(by, scheme)
    errors: dict[str, str] = {}
    person = _coordinator_fields(name=name, email=email, phone=phone, errors=errors)
    if not errors and scheme.coordinators.count() >= MAX_COORDINATORS:
        errors["email"] = f"A scheme can have at most {MAX_COORDINATORS} coordinators"
    if errors:
        raise SchemeInvalid(errors)
    try:
        with transaction.atomic():
            coordinator = Coordinator.objects.create(scheme=scheme, **person)
            _send_link(coordinator, why="invite")
            _log(
                "schemes.coordinator.add",
                actor=None,
                scheme=scheme,
                request=request,
                coordinator=coordinator.pk,
                by=by.pk,
            )
    except IntegrityError as error:
        raise SchemeInvalid({"email": "That person is already a coordinator of this scheme"}) from error
    return coordinator


@transaction.atomic
def coordinator_set_preferences(
    *, coordinator: Coordinator, show_contact: bool, itk_opt_in: bool, request: HttpRequest | None = None
) -> Coordinator:
    """A coordinator's own choices. Joining In the Know is recorded with its words; leaving it here only stops
    the group being added later (In the Know's own preferences stop messages)."""
    if not coordinator.is_verified:
        raise SchemePermissionError("Confirm your email address first")
    coordinator.show_contact = bool(show_contact)
    if itk_opt_in and not coordinator.itk_opt_in:
        coordinator.itk_wording = itk_wording()
    coordinator.itk_opt_in = bool(itk_opt_in)
    coordinator.save(update_fields=["show_contact", "itk_opt_in", "itk_wording"])
    _log(
        "schemes.coordinator.preferences",
        actor=None,
        scheme=coordinator.scheme,
        request=request,
        coordinator=coordinator.pk,
        show_contact=coordinator.show_contact,
        itk_opt_in=coordinator.itk_opt_in,
    )
    if coordinator.scheme.is_verified:
        coordinator_itk_join(coordinator=coordinator)
        public_content_changed()
    return coordinator


def coordinator_itk_join(*, coordinator: Coordinator) -> bool:
    """Give a consenting, verified coordinator of a verified scheme the In the Know coordinators' group.

    A new address is signed up through In the Know's double opt-in (a confirmation email; nothing is sent to
    them until they confirm). An existing subscriber gets the group added to what they chose, nothing else. True
    when something was done."""
    from openbeat.subscriptions.models import Interest, Subscriber
    from openbeat.subscriptions.services import AreaChoice, interest_slugs_of, subscriber_set_interests
    from openbeat.subscriptions.signup import Channels, SignupAnswers, subscriber_signup

    scheme = coordinator.scheme
    if not (coordinator.itk_opt_in and coordinator.is_verified and scheme.is_verified):
        return False
    if not Interest.objects.filter(slug=ITK_GROUP, active=True).exists():
        return False  # the force removed the group: nothing to join
    existing = Subscriber.objects.filter(email__iexact=coordinator.email).first()
    if existing is not None:
        slugs = interest_slugs_of(existing)
        if ITK_GROUP in slugs and coordinator.itk_subscriber_id == existing.pk:
            return False
        if ITK_GROUP not in slugs:
            active = set(Interest.objects.filter(active=True).values_list("slug", flat=True))
            subscriber_set_interests(subscriber=existing, slugs=[s for s in slugs if s in active] + [ITK_GROUP])
        subscriber = existing
    else:
        neighbourhood = _home_neighbourhood(scheme)
        if neighbourhood is None:
            return False
        subscriber = subscriber_signup(
            answers=SignupAnswers(
                email=coordinator.email,
                home=AreaChoice(
                    neighbourhood_id=neighbourhood.pk,
                    postcode=scheme.postcode,
                    lat=scheme.centre_lat,
                    lon=scheme.centre_lon,
                    label=scheme.name[:100],
                ),
                interests=[ITK_GROUP],
                channels=Channels(),
                contact_wording=coordinator.itk_wording or itk_wording(),
            ),
            source="watch-scheme",
        )
    Coordinator.objects.filter(pk=coordinator.pk).update(itk_subscriber_id=subscriber.pk)
    coordinator.itk_subscriber_id = subscriber.pk
    log_action(
        "schemes.coordinator.itk_join",
        actor=None,
        target=coordinator,
        data={"scheme": scheme.pk, "subscriber": subscriber.pk, "new": existing is None},
        division=scheme.division,
    )
    return True


def _home_neighbourhood(scheme: Scheme) -> Neighbourhood | None:
    from openbeat.areas.geo import locate

    return locate(scheme.centre_lat, scheme.centre_lon) or scheme.neighbourhoods.order_by("pk").first()


# ------------------------------------------------------------------------------------------------ staff


@transaction.atomic
def scheme_verify(*, scheme: Scheme, actor: StaffUser, request: HttpRequest | None = None) -> Scheme:
    """The force has checked the scheme: it appears in the finder, and its consenting coordinators join the group."""
    _check_staff(actor, scheme)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status == Scheme.Status.VERIFIED:
        raise SchemeStateError("This scheme is already verified")
    if not scheme.coordinators.filter(email_verified_at__isnull=False).exists():
        raise SchemeStateError("No coordinator has confirmed their email address yet")
    scheme.status, scheme.verified_at, scheme.verified_by, scheme.suspended_at = (
        Scheme.Status.VERIFIED,
        timezone.now(),
        actor,
        None,
    )
    scheme.save(update_fields=["status", "verified_at", "verified_by", "suspended_at", "updated_at"])
    _log("schemes.scheme.verify", actor=actor, scheme=scheme, request=request)
    for coordinator in scheme.coordinators.select_related("scheme"):
        coordinator_itk_join(coordinator=coordinator)
    public_content_changed()
    return scheme


@transaction.atomic
def scheme_suspend(*, scheme: Scheme, actor: StaffUser, reason: str = "", request: HttpRequest | None = None) -> Scheme:
    """Take a scheme out of the finder (it closed, or is under review); its coordinators can no longer edit it."""
    _check_staff(actor, scheme)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.status == Scheme.Status.SUSPENDED:
        raise SchemeStateError("This scheme is already suspended")
    scheme.status, scheme.suspended_at = Scheme.Status.SUSPENDED, timezone.now()
    scheme.save(update_fields=["status", "suspended_at", "updated_at"])
    _log("schemes.scheme.suspend", actor=actor, scheme=scheme, request=request, reason=_text(reason)[:500])
    public_content_changed()
    return scheme


@transaction.atomic
def scheme_edit(
    *,
    scheme: Scheme,
    actor: StaffUser,
    name: str,
    kind: str,
    description: str,
    households: Any,
    area_source: str,
    area_geojson: str = "",
    neighbourhoods: list[Neighbourhood] | None = None,
    request: HttpRequest | None = None,
) -> Scheme:
    """Staff edit a scheme: its details and its area, drawn (GeoJSON) or the union of chosen neighbourhoods in
    their scope."""
    _check_staff(actor, scheme)
    errors: dict[str, str] = {}
    details = _details(name=name, kind=kind, description=description, households=households, errors=errors)
    chosen = list(neighbourhoods or [])
    area: dict[str, Any] = {}
    if area_source == Scheme.AreaSource.NEIGHBOURHOODS:
        scope = scope_for(actor)
        if not chosen:
            errors["neighbourhoods"] = "Choose at least one neighbourhood"
        elif not all(scope.allows(n) for n in chosen):
            errors["neighbourhoods"] = "Choose neighbourhoods in your division"
        else:
            shape = union_of(n.boundary for n in chosen)
            if shape is None:
                errors["neighbourhoods"] = "Those neighbourhoods have no boundary: draw the area instead"
            else:
                area = area_fields(shape)
    elif area_source == Scheme.AreaSource.DRAWN:
        if area_geojson.strip():
            area = _drawn_area(area_geojson, errors)
    else:
        errors["area_source"] = "Choose how the area is given"
    if errors:
        raise SchemeInvalid(errors)
    for key, value in {**details, **area, "area_source": area_source}.items():
        setattr(scheme, key, value)
    scheme.save()
    if area_source == Scheme.AreaSource.NEIGHBOURHOODS:
        scheme.neighbourhoods.set(chosen)
    else:
        scheme.neighbourhoods.clear()
    _log(
        "schemes.scheme.edit",
        actor=actor,
        scheme=scheme,
        request=request,
        area_source=area_source,
        area_changed=bool(area),
    )
    if scheme.is_verified:
        public_content_changed()
    return scheme
