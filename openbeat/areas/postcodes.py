"""UK postcodes: validation, normalisation, and finding the neighbourhood a postcode is in.

Each failure is its own exception with a message a resident understands, because the sign-up and
reporting journeys show it beside the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, F, OuterRef
from django.utils.functional import lazy

from openbeat.areas.models import Neighbourhood, Postcode
from openbeat.core.models import Force

# Outward code (area letters, district digit, optional letter/digit) then inward code (digit, two letters).
# The inward code never uses C, I, K, M, O or V. GIR 0AA is the one historic exception.
_POSTCODE_RE = re.compile(r"^(?:([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})|(GIR)(0AA))$")


# Hints show a postcode from the force's own area ("For example, DM1 1AA"), not one from somewhere else.
# Before any postcodes are imported: one in the right format that is nobody's address (AB1 was retired).
GENERIC_POSTCODE_EXAMPLE = "AB1 2DE"
_EXAMPLE_CACHE_KEY = "areas:postcode-example"


def postcode_example() -> str:
    """A real postcode in the force's area, for hints: the first of its most populous neighbourhood that has
    postcodes (by name when populations are not known). Cached for an hour."""
    example = cache.get(_EXAMPLE_CACHE_KEY)
    if example is None:
        has_postcodes = Exists(Postcode.objects.filter(neighbourhood=OuterRef("pk")))
        largest = (
            Neighbourhood.objects.filter(has_postcodes)
            .order_by(F("population").desc(nulls_last=True), "name", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        found = None
        if largest is not None:
            postcodes = Postcode.objects.filter(neighbourhood_id=largest).order_by("postcode")
            found = postcodes.values_list("postcode", flat=True).first()
        example = found or GENERIC_POSTCODE_EXAMPLE
        cache.set(_EXAMPLE_CACHE_KEY, example, 3600)
    return example


def _postcode_hint() -> str:
    return f"For example, {postcode_example()}"


# For a form field's help_text: worked out when shown, not when the module is imported.
postcode_hint = lazy(_postcode_hint, str)


class PostcodeError(ValueError):
    message = "Enter a real postcode"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class MalformedPostcode(PostcodeError):
    # No example here (checking a postcode's format needs no database): the field's hint shows the force's own.
    message = "Enter a full UK postcode"


class UnknownPostcode(PostcodeError):
    message = "We could not find that postcode. Check it and try again, or enter a nearby postcode"


class OutsideForceArea(PostcodeError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or f"That postcode is outside the area {Force.current().name} covers")


def normalise_postcode(text: str) -> str:
    """'pr11ab' -> 'PR1 1AB'. Raises MalformedPostcode when it cannot be a UK postcode."""
    compact = re.sub(r"[\s\-.]+", "", (text or "").upper())
    match = _POSTCODE_RE.match(compact)
    if not match:
        raise MalformedPostcode()
    outward = match.group(1) or match.group(3)
    inward = match.group(2) or match.group(4)
    return f"{outward} {inward}"


@dataclass(frozen=True)
class PostcodeLocation:
    postcode: str
    lat: float
    lon: float
    neighbourhood: Neighbourhood


def postcode_locate(text: str) -> PostcodeLocation:
    """The neighbourhood for what someone typed, or a PostcodeError saying what is wrong with it."""
    postcode = normalise_postcode(text)
    row = Postcode.objects.select_related("neighbourhood__division").filter(postcode=postcode).first()
    if row is None:
        raise UnknownPostcode()
    if row.neighbourhood is None:
        raise OutsideForceArea()
    return PostcodeLocation(postcode=row.postcode, lat=row.lat, lon=row.lon, neighbourhood=row.neighbourhood)
