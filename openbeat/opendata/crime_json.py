"""A crime row written as data.police.uk writes it: keys in its order, coordinates as strings, a street id.

Street ids: data.police.uk numbers its anonymised map points ("street": {"id": 883345}) and clients pass the
number back as `crimes-at-location?location_id=`. OpenBeat has no table of points (they arrive with the crimes),
so the id is computed from the point itself and read back without a lookup: the same point gets the same id in
every month and on every server. Inside a box around Great Britain and Ireland the id is the point's offset in
microdegrees (exact, reversible, below 2**53 so JavaScript clients keep it whole); a point elsewhere (a crime
the force recorded abroad, or a test's) gets a hashed id above that range, found again by computing it.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from django.utils.text import slugify

# The box of reversible ids, in microdegrees: latitude 40..70 N, longitude 20 W..10 E.
_LAT_MIN, _LAT_SPAN = 40_000_000, 30_000_000
_LON_MIN, _LON_SPAN = -20_000_000, 30_000_000
_LON_SIZE = _LON_SPAN + 1
HASHED_IDS_FROM = 2**52  # above every reversible id ((_LAT_SPAN + 1) * _LON_SIZE < 2**50)

# data.police.uk's outcome codes for the names its CSVs write (outcomes-for-crime answers both).
OUTCOME_CODES: dict[str, str] = {
    "Awaiting court outcome": "awaiting-court-result",
    "Court result unavailable": "court-result-unavailable",
    "Court case unable to proceed": "unable-to-proceed",
    "Local resolution": "local-resolution",
    "Investigation complete; no suspect identified": "no-further-action",
    "Offender deprived of property": "deprived-of-property",
    "Offender fined": "fined",
    "Offender given absolute discharge": "absolute-discharge",
    "Offender given a caution": "cautioned",
    "Offender given a drugs possession warning": "drugs-possession-warning",
    "Offender given a penalty notice": "penalty-notice-issued",
    "Offender given penalty notice": "penalty-notice-issued",  # the CSVs' spelling
    "Offender given community sentence": "community-penalty",
    "Offender given conditional discharge": "conditional-discharge",
    "Offender given suspended prison sentence": "suspended-sentence",
    "Offender sent to prison": "imprisoned",
    "Offender otherwise dealt with": "other-court-disposal",
    "Offender ordered to pay compensation": "compensation",
    "Suspect charged as part of another case": "sentenced-in-another-case",
    "Suspect charged": "charged",
    "Defendant found not guilty": "not-guilty",
    "Defendant sent to Crown Court": "sent-to-crown-court",
    "Unable to prosecute suspect": "unable-to-prosecute",
    "Formal action is not in the public interest": "formal-action-not-in-public-interest",
    "Action to be taken by another organisation": "action-taken-by-another-organisation",
    "Further investigation is not in the public interest": "further-investigation-not-in-public-interest",
    "Further action is not in the public interest": "further-action-not-in-public-interest",
    "Under investigation": "under-investigation",
    "Status update unavailable": "status-update-unavailable",
}

# The columns a crime is written from, in this order (selectors fetch tuples: no model instances per row).
CRIME_COLUMNS = (
    "pk",
    "category_id",
    "lat_e6",
    "lon_e6",
    "location",
    "context",
    "outcome_category",
    "outcome_month",
    "persistent_id",
    "month",
)
CrimeRow = tuple[Any, ...]


def _in_box(lat_e6: int, lon_e6: int) -> bool:
    return 0 <= lat_e6 - _LAT_MIN <= _LAT_SPAN and 0 <= lon_e6 - _LON_MIN <= _LON_SPAN


def street_id(lat_e6: int, lon_e6: int) -> int:
    """The stable id of an anonymised point."""
    if _in_box(lat_e6, lon_e6):
        return (lat_e6 - _LAT_MIN) * _LON_SIZE + (lon_e6 - _LON_MIN) + 1
    digest = hashlib.blake2b(f"{lat_e6},{lon_e6}".encode(), digest_size=8).digest()
    return HASHED_IDS_FROM + int.from_bytes(digest) % (HASHED_IDS_FROM // 2)


def point_of_street_id(location_id: int) -> tuple[int, int] | None:
    """The point a reversible id stands for; None for a hashed id (or a number no point has)."""
    if not 1 <= location_id < HASHED_IDS_FROM:
        return None
    lat_offset, lon_offset = divmod(location_id - 1, _LON_SIZE)
    if lat_offset > _LAT_SPAN:
        return None
    return lat_offset + _LAT_MIN, lon_offset + _LON_MIN


def box_bounds() -> tuple[int, int, int, int]:
    """(lat_min, lat_max, lon_min, lon_max) of the reversible ids, in microdegrees."""
    return _LAT_MIN, _LAT_MIN + _LAT_SPAN, _LON_MIN, _LON_MIN + _LON_SPAN


def _micro_text(value: int) -> str:
    # Six decimals, as the CSVs and data.police.uk write them ("-1.132073"): a microdegree integer over 1e6 is
    # the double nearest the decimal, which "%.6f" writes back exactly.
    return "%.6f" % (value / 1_000_000)


def _month_text(day: datetime.date | str) -> str:
    # A date from the model layer, or the "YYYY-MM-DD" text SQLite gives a raw cursor: both start "YYYY-MM".
    return str(day)[:7]


def location_json(lat_e6: int | None, lon_e6: int | None, name: str) -> dict[str, Any] | None:
    if lat_e6 is None or lon_e6 is None:
        return None
    return {
        "latitude": _micro_text(lat_e6),
        "street": {"id": street_id(lat_e6, lon_e6), "name": name},
        "longitude": _micro_text(lon_e6),
    }


class _Writer:
    """Writes rows one after another, remembering what rows share: their points (crimes share anonymised
    points), their month (a query's rows all have one) and outcome month. A thousand rows in a few ms."""

    def __init__(self) -> None:
        self.places: dict[tuple[Any, ...], dict[str, Any] | None] = {}
        self.months: dict[Any, str] = {}

    def month(self, value: Any) -> str:
        text = self.months.get(value)
        if text is None:
            text = self.months[value] = _month_text(value)
        return text

    def crime(self, row: CrimeRow, *, with_outcome_status: bool = True) -> dict[str, Any]:
        pk, category, lat_e6, lon_e6, location, context, outcome, outcome_month, persistent_id, month = row
        key = (lat_e6, lon_e6, location)
        try:
            place = self.places[key]
        except KeyError:
            place = self.places[key] = location_json(lat_e6, lon_e6, location)
        months = self.months
        month_text = months.get(month) or self.month(month)
        if not with_outcome_status:
            return {
                "category": category,
                "location_type": "Force" if place else None,
                "location": place,
                "context": context,
                "persistent_id": persistent_id,
                "id": pk,
                "location_subtype": "",
                "month": month_text,
            }
        # One literal, not a dict filled key by key: this runs for every crime of every answer.
        return {
            "category": category,
            "location_type": "Force" if place else None,
            "location": place,
            "context": context,
            "outcome_status": (
                {"category": outcome, "date": (months.get(outcome_month) or self.month(outcome_month))}
                if outcome and outcome_month
                else {"category": outcome, "date": None}
                if outcome
                else None
            ),
            "persistent_id": persistent_id,
            "id": pk,
            "location_subtype": "",
            "month": month_text,
        }


def crime_json(row: CrimeRow, *, with_outcome_status: bool = True) -> dict[str, Any]:
    """One crime in data.police.uk's key order (`crime.json`); without a point, location and its type are null
    (crimes-no-location); outcomes-for-crime's crime has no outcome_status (`outcome-crime.json`)."""
    return _Writer().crime(row, with_outcome_status=with_outcome_status)


def crimes_json(rows: Iterable[CrimeRow]) -> list[dict[str, Any]]:
    writer = _Writer()
    return [writer.crime(row) for row in rows]


def outcome_json(category: str, month: datetime.date | str | None) -> dict[str, Any]:
    code = OUTCOME_CODES.get(category) or slugify(category)
    return {
        "category": {"code": code, "name": category},
        "date": _month_text(month) if month else None,
        "person_id": None,
    }
