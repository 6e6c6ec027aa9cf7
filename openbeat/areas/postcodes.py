"""UK postcodes: validation, normalisation, and finding the neighbourhood a postcode is in.

Each failure is its own exception with a message a resident understands, because the sign-up and
reporting journeys show it beside the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openbeat.areas.models import Force, Neighbourhood, Postcode

# Outward code (area letters, district digit, optional letter/digit) then inward code (digit, two letters).
# The inward code never uses C, I, K, M, O or V. GIR 0AA is the one historic exception.
_POSTCODE_RE = re.compile(r"^(?:([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})|(GIR)(0AA))$")


class PostcodeError(ValueError):
    message = "Enter a real postcode"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class MalformedPostcode(PostcodeError):
    message = "Enter a full UK postcode, like PR1 1AB"


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
