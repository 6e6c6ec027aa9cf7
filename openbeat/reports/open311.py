"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): services, service definitions, requests.

What leaves through the read side is public by design: the reference, the type, the status (open/closed),
the staff-written `public_note`, dates, and a location rounded to the centre of the neighbourhood. Never the
reporter's contact details, their answers or any other text they typed, the exact point, postcode or address.
Only active report types with `open311` set are offered, read or written.

Status mapping (also in docs/open311.md): new, triaged, assigned, awaiting_reporter -> "open"; closed -> "closed".

API keys (`Open311Key`) are stored as a SHA-256 hash only; the key itself is shown once, when created.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from openbeat.areas import geo
from openbeat.areas.postcodes import OutsideForceArea, PostcodeError, normalise_postcode, postcode_locate
from openbeat.audit.services import log_action
from openbeat.core.models import Force
from openbeat.core.users import StaffUser
from openbeat.reports.models import Open311Key, Question, Report, ReportType
from openbeat.reports.services import ReportInvalid, report_submit

OPEN_STATUSES = (
    Report.Status.NEW,
    Report.Status.TRIAGED,
    Report.Status.ASSIGNED,
    Report.Status.AWAITING_REPORTER,
)
# GeoReport v2: "the default query should return requests from the last 90 days" and at most 1,000 of them.
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
# Where a report about a place outside the force's area should go instead (settings.REPORTS_FIND_FORCE_URL).
FIND_FORCE_URL = "https://www.police.uk/pu/find-a-police-force/"
# A postcode written inside an address_string ("12 Mill Lane, Preston PR1 1AB"): the text is upper-cased first.
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})\b")

DATATYPES: dict[str, str] = {
    Question.Kind.TEXT: "string",
    Question.Kind.TEXTAREA: "text",
    Question.Kind.CHOICE: "singlevaluelist",
    Question.Kind.YES_NO: "singlevaluelist",
    Question.Kind.MULTICHOICE: "multivaluelist",
    Question.Kind.DATE: "datetime",
    Question.Kind.TIME: "string",
    Question.Kind.NUMBER: "number",
}
YES_NO_VALUES = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]


class Open311Error(Exception):
    """An error to answer in Open311's format: `[{"code": <status>, "description": <text>}]`."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


# --- API keys -------------------------------------------------------------------------------------------


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def key_create(*, name: str, actor: StaffUser, request: Any = None) -> tuple[Open311Key, str]:
    """A new key for `name`; returns the row and the key itself, which is not stored and cannot be shown again."""
    raw = "ob311_" + secrets.token_urlsafe(30)
    key = Open311Key.objects.create(name=name, key_hash=_hash(raw), prefix=raw[:8])
    log_action("reports.open311key.create", actor=actor, target=key, data={"prefix": key.prefix}, request=request)
    return key, raw


def key_revoke(*, key: Open311Key, actor: StaffUser, request: Any = None) -> None:
    key.active = False
    key.save(update_fields=["active"])
    log_action("reports.open311key.revoke", actor=actor, target=key, data={"prefix": key.prefix}, request=request)


def key_check(raw: str) -> Open311Key | None:
    """The active key `raw` is, or None. Looked up by hash, so the stored value never meets the raw key."""
    if not raw or len(raw) > 200:
        return None
    key = Open311Key.objects.filter(key_hash=_hash(raw), active=True).first()
    if key is not None:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


# --- Services -------------------------------------------------------------------------------------------


def jurisdiction_id() -> str:
    return Force.current().code


def jurisdiction_check(value: str | None) -> None:
    if value and value != jurisdiction_id():
        raise Open311Error(404, f"Unknown jurisdiction_id; this endpoint serves {jurisdiction_id()!r} only.")


def service_types() -> QuerySet[ReportType]:
    return ReportType.objects.filter(active=True, open311=True).order_by("sort_order", "name")


def service_type(code: str) -> ReportType:
    report_type = service_types().filter(slug=code).first()
    if report_type is None:
        raise Open311Error(404, "No service with this service_code.")
    return report_type


def _metadata(report_type: ReportType) -> bool:
    return report_type.questions.exists()


def service_entry(report_type: ReportType) -> dict[str, Any]:
    return {
        "service_code": report_type.slug,
        "service_name": report_type.name,
        "description": report_type.summary,
        "metadata": _metadata(report_type),
        "type": "realtime",
        "keywords": report_type.kind,
        "group": report_type.get_kind_display(),
    }


def service_list() -> list[dict[str, Any]]:
    return [service_entry(t) for t in service_types()]


def attribute(question: Question, order: int) -> dict[str, Any]:
    values = YES_NO_VALUES if question.kind == Question.Kind.YES_NO else (question.choices or [])
    # Open311 has no conditional attributes: a conditional question is optional here, and says when it applies.
    described = question.hint or ""
    if question.condition:
        shown_when = ", ".join(str(v) for v in question.condition.get("in", []))
        described = f"{described} Only when {question.condition.get('question')} is one of: {shown_when}.".strip()
    entry: dict[str, Any] = {
        "variable": True,
        "code": question.key,
        "datatype": DATATYPES.get(question.kind, "string"),
        "required": bool(question.required and not question.condition),
        "datatype_description": described,
        "order": order,
        "description": question.label,
    }
    if entry["datatype"] in {"singlevaluelist", "multivaluelist"}:
        entry["values"] = [{"key": str(v.get("value", "")), "name": str(v.get("label", ""))} for v in values]
    return entry


def service_definition(report_type: ReportType) -> dict[str, Any]:
    questions = list(report_type.questions.all())
    return {
        "service_code": report_type.slug,
        "attributes": [attribute(q, n) for n, q in enumerate(questions, start=1)],
    }


# --- Requests (read) ------------------------------------------------------------------------------------


def status_of(report: Report) -> str:
    return "closed" if report.status == Report.Status.CLOSED else "open"


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def request_public(report: Report, *, force_name: str | None = None) -> dict[str, Any]:
    """One request as GeoReport v2 shows it: public fields only (see the module docstring)."""
    neighbourhood = report.neighbourhood
    lat = neighbourhood.centroid_lat if neighbourhood is not None else None
    lon = neighbourhood.centroid_lon if neighbourhood is not None else None
    return {
        "service_request_id": report.reference,
        "status": status_of(report),
        "status_notes": report.public_note,
        "service_name": report.report_type.name,
        "service_code": report.report_type.slug,
        "description": "",
        "agency_responsible": report.division.name if report.division is not None else (force_name or _force_name()),
        "service_notice": "",
        "requested_datetime": _when(report.created_at),
        "updated_datetime": _when(report.updated_at),
        "expected_datetime": None,
        "address": neighbourhood.name if neighbourhood is not None else "",
        "address_id": "",
        "zipcode": "",
        "lat": round(lat, 5) if lat is not None else None,
        "long": round(lon, 5) if lon is not None else None,
        "media_url": "",
    }


def _force_name() -> str:
    return Force.current().name


def _public_reports() -> QuerySet[Report]:
    return Report.objects.filter(report_type__in=service_types()).select_related(
        "report_type", "division", "neighbourhood"
    )


def _parse_when(value: str, name: str, *, end: bool = False) -> datetime:
    try:
        when = parse_datetime(value)
        if when is None and (day := parse_date(value)) is not None:
            when = datetime.combine(day, datetime.max.time() if end else datetime.min.time())
    except ValueError:
        when = None
    if when is None:
        raise Open311Error(400, f"{name} must be a w3 date and time, e.g. 2026-11-24T09:30:00Z.")
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def requests_search(params: Any) -> list[dict[str, Any]]:
    """`GET requests`: by service_request_id (a comma-separated list; other filters then ignored, as the
    standard says), else by service_code, status and a date window (default: the last 90 days)."""
    reports = _public_reports()
    ids = (params.get("service_request_id") or "").strip()
    if ids:
        wanted = [i.strip() for i in ids.split(",") if i.strip()][:MAX_RESULTS]
        return _listed(reports.filter(reference__in=wanted).order_by("-created_at"))
    if codes := (params.get("service_code") or "").strip():
        reports = reports.filter(report_type__slug__in=[c.strip() for c in codes.split(",")])
    statuses = {s.strip() for s in (params.get("status") or "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status must be open, closed, or a comma-separated list of them.")
    if statuses == {"open"}:
        reports = reports.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        reports = reports.filter(status=Report.Status.CLOSED)
    # Both (GeoReport v2 allows a comma-separated list), or none: every status.
    end = _parse_when(params["end_date"], "end_date", end=True) if params.get("end_date") else None
    start = _parse_when(params["start_date"], "start_date") if params.get("start_date") else None
    if start is None:
        start = (end or timezone.now()) - timedelta(days=DEFAULT_DAYS)
    reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lte=end)
    return _listed(reports.order_by("-created_at")[:MAX_RESULTS])


def _listed(reports: QuerySet[Report]) -> list[dict[str, Any]]:
    force_name = _force_name()  # once, not once per report without a division
    return [request_public(r, force_name=force_name) for r in reports]


def request_get(service_request_id: str) -> list[dict[str, Any]]:
    report = _public_reports().filter(reference=service_request_id).first()
    if report is None:
        raise Open311Error(404, "No request with this service_request_id.")
    return [request_public(report)]


# --- Requests (write) -----------------------------------------------------------------------------------


def _float(value: str | None, name: str, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except ValueError:
        raise Open311Error(400, f"{name} must be a decimal number.") from None
    if not low <= number <= high:
        raise Open311Error(400, f"{name} must be between {low} and {high}.")
    return number


def _date_of(value: str) -> str:
    """Open311's `datetime` attributes carry a date and time; a date question keeps the (local) date."""
    try:
        when = parse_datetime(value)
    except ValueError:
        return value
    if when is None:
        return value
    return (timezone.localtime(when) if timezone.is_aware(when) else when).date().isoformat()


# When this API's published behaviour last changed (discovery's `changeset`); move it with any change to it.
API_CHANGESET = "2026-12-06T00:00:00Z"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def discovery_document(endpoint_url: str) -> dict[str, Any]:
    """GeoReport v2 service discovery: where the endpoint is, its formats, and whom to ask for a key."""
    force = Force.current()
    contact = getattr(settings, "OPEN311_CONTACT", "") or f"{force.name}: {force.website or settings.BASE_URL}"
    key_service = getattr(settings, "OPEN311_KEY_SERVICE", "") or (
        f"Ask {force.name} for an api_key: its staff issue keys in OpenBeat's back office. Reading needs no key."
    )
    return {
        "changeset": API_CHANGESET,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": API_CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


def find_force_url() -> str:
    return getattr(settings, "REPORTS_FIND_FORCE_URL", "") or FIND_FORCE_URL


def _outside(what: str) -> Open311Error:
    force = Force.current().name
    return Open311Error(
        400,
        f"{what} is outside the area {force} covers, so it cannot be reported here. Report it to the police "
        f"force for that place: {find_force_url()} finds it from a postcode or town.",
    )


def _point_check(lat: float, lon: float) -> None:
    """Refuse a point outside every neighbourhood of the force. With no boundaries loaded there is nothing to
    check against, and the report goes to the force-wide queue as before."""
    if len(geo.boundary_index()) and geo.locate_pk(lat, lon) is None:
        raise _outside(f"The location lat={lat}, long={lon}")


def _address_postcode(address: str) -> str:
    """The postcode that routes an address_string: the whole string, or the last postcode written in it, when
    we know it and it is in the force's area; "" when there is none (free text, kept for staff to read).

    A postcode we know to be outside the area is refused, and so is a whole address_string that is a postcode
    we do not know (most likely elsewhere in the country; the web form refuses it too). A postcode-shaped
    word inside longer text that we do not know may not be a postcode at all ("Flat A1 2nd floor"): ignored.
    """
    if not address:
        return ""
    try:
        whole = normalise_postcode(address)
    except PostcodeError:
        whole = ""
    found = _POSTCODE_IN_TEXT.findall(address.upper())
    candidate = whole or (" ".join(found[-1]) if found else "")
    if not candidate:
        return ""
    try:
        return postcode_locate(candidate).postcode
    except OutsideForceArea:
        raise _outside(f"The postcode {candidate} in address_string") from None
    except PostcodeError:
        if not whole:
            return ""
        raise Open311Error(
            400,
            f"address_string: we do not know the postcode {whole}. If the place is outside the area "
            f"{Force.current().name} covers, report it to the police force there ({find_force_url()} finds it); "
            "otherwise send lat and long.",
        ) from None


def answers_from(report_type: ReportType, params: Any) -> dict[str, Any]:
    """The answers from `attribute[<code>]` fields, as the web form would post them (lists for multivaluelist)."""
    answers: dict[str, Any] = {}
    for question in report_type.questions.all():
        name = f"attribute[{question.key}]"
        values = [v for v in [*params.getlist(name), *params.getlist(name + "[]")] if v != ""]
        if question.kind == Question.Kind.MULTICHOICE:
            if values:
                answers[question.key] = values
        elif values:
            answers[question.key] = _date_of(values[0]) if question.kind == Question.Kind.DATE else values[0]
    description = (params.get("description") or "").strip()
    if description:
        # The free-text description goes to the type's first long-text question the attributes left empty.
        for question in report_type.questions.all():
            if question.kind == Question.Kind.TEXTAREA and question.key not in answers:
                answers[question.key] = description
                break
    return answers


def request_create(*, params: Any) -> Report:
    """`POST requests`: a report submitted through R1's `report_submit` with source "open311"."""
    report_type = service_type((params.get("service_code") or "").strip())
    lat = _float(params.get("lat"), "lat", -90, 90)
    lon = _float(params.get("long"), "long", -180, 180)
    if (lat is None) != (lon is None):
        raise Open311Error(400, "Give both lat and long, or neither.")
    address = (params.get("address_string") or "").strip()
    if report_type.location == ReportType.Location.REQUIRED and lat is None and not address:
        raise Open311Error(400, "This service needs a location: lat and long, or address_string.")
    postcode = ""
    if report_type.location != ReportType.Location.NONE:
        # A place outside the force's area is refused, not filed silently in the force-wide queue.
        if lat is not None and lon is not None:
            _point_check(lat, lon)
        else:
            postcode = _address_postcode(address)
    name = " ".join(p for p in ((params.get("first_name") or "").strip(), (params.get("last_name") or "").strip()) if p)
    try:
        return report_submit(
            report_type=report_type,
            answers=answers_from(report_type, params),
            reporter_name=name[:160],
            reporter_email=(params.get("email") or "").strip(),
            reporter_phone=(params.get("phone") or "").strip()[:20],
            postcode=postcode,
            # The address text is kept unless it was only the postcode.
            address="" if postcode and _same_postcode(address, postcode) else address[:300],
            lat=lat,
            lon=lon,
            source=Report.Source.OPEN311,
        )
    except ReportInvalid as invalid:
        raise Open311Error(400, _describe(invalid.errors.items())) from None


def _same_postcode(address: str, postcode: str) -> bool:
    try:
        return normalise_postcode(address) == postcode
    except PostcodeError:
        return False


def _describe(errors: Iterable[tuple[str, str]]) -> str:
    return " ".join(f"{key}: {message}" for key, message in errors) or "The request is not valid."


def rate_limits() -> dict[str, tuple[int, int]]:
    """(limit, period in seconds), overridable with settings.OPEN311_RATE_LIMITS: "read" per client address,
    "write" per api_key (counted once the key is checked), "bad_key" per client address for submissions with
    a missing or wrong key (generous: it only slows guessing, and a valid key is never held up by it)."""
    defaults = {"read": (600, 60), "write": (60, 3600), "bad_key": (100, 3600)}
    return {**defaults, **getattr(settings, "OPEN311_RATE_LIMITS", {})}
