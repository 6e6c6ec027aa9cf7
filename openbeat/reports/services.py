"""Writes to reports: a resident's submission, then what staff do with it. Views, Open311 and the demo call these;
nothing else writes a Report's status, assignment or timeline.

Every staff write checks `permissions.can_handle` (raising `ReportPermissionError`, a PermissionDenied), changes
the report under a row lock, adds a timeline event and writes the audit log (`reports.report.<verb>`, the report
as target, states and ids only in `data`). Input a person can correct raises `ReportInvalid` with `.errors`,
{field: message}, for a form to show.

Emails to the reporter carry no text anyone typed: the confirmation gives the reference and a link to the
status page (reference + email, then a magic link), not the report; a message notice says only that there is
a new message, which is shown there and never emailed. The address is whatever was typed, so a copy of the
report would let anyone have the force's mail server send any text to anyone. Staff write about crimes and
people; an inbox is often shared or read over a shoulder, and a notice that carries no content cannot be
spoofed into a convincing "message from the police".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from openbeat.areas import geo
from openbeat.areas.postcodes import PostcodeError, postcode_locate
from openbeat.audit.services import log_action
from openbeat.core.messaging import email_send
from openbeat.core.paths import absolute_url
from openbeat.core.users import StaffUser, user_name
from openbeat.reports import campaign_links, questions
from openbeat.reports.models import Report, ReportDraft, ReportEvent, ReportType
from openbeat.reports.permissions import can_handle
from openbeat.reports.references import reference_next

MAX_MESSAGE = 5000
_PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{6,20}$")


class ReportInvalid(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class ReportAlreadySent(Exception):
    """The draft was sent already (a double-clicked submit, or a second tab): nothing more was filed."""


class ReportPermissionError(PermissionDenied):
    def __init__(self, message: str = "You cannot handle this report") -> None:
        super().__init__(message)
        self.message = message


# ------------------------------------------------------------------------------------------------ links


def status_start_url() -> str:
    try:
        return absolute_url(reverse("reports:status_start"))
    except NoReverseMatch:  # the public pages are mounted at /report/ (openbeat/urls.py) by another part
        return absolute_url("/report/status/")


def staff_report_url(report: Report) -> str:
    try:
        return absolute_url(reverse("reports_staff:report", args=[report.pk]))
    except NoReverseMatch:
        return absolute_url(f"/admin/reports/{report.pk}/")


# ------------------------------------------------------------------------------------------------ submit


def _check_reporter(*, name: str, email: str, phone: str, source: str) -> dict[str, str]:
    errors = {}
    # Open311 clients may send reports without contact details (the GeoReport spec makes them optional).
    if source != Report.Source.OPEN311 and not name:
        errors["reporter_name"] = "Enter your name"
    elif len(name) > 160:
        errors["reporter_name"] = "Your name must be 160 characters or fewer"
    if email:
        try:
            validate_email(email)
            if len(email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            errors["reporter_email"] = "Enter an email address in the correct format, like name@example.com"
    elif source != Report.Source.OPEN311:
        errors["reporter_email"] = "Enter your email address"
    if phone and not _PHONE_RE.match(phone):
        errors["reporter_phone"] = "Enter a telephone number, like 01632 960 001 or +44 7700 900 982"
    return errors


def _route(
    *, report_type: ReportType, postcode: str, address: str, lat: Any, lon: Any, errors: dict[str, str]
) -> dict[str, Any]:
    """Where the report goes: fields for the Report row (division None: the force-wide queue)."""
    out: dict[str, Any] = {"division": None, "neighbourhood": None, "location_source": "", "lat": None, "lon": None}
    if report_type.location == ReportType.Location.NONE:
        return out
    if len(address) > 300:
        errors["address"] = "The address must be 300 characters or fewer"
    out["postcode"], out["address"] = "", address[:300]
    if lat is not None or lon is not None:
        try:
            lat_f, lon_f = float(lat), float(lon)
        except (TypeError, ValueError):
            lat_f = lon_f = float("nan")
        if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
            errors["location"] = "Choose a place on the map"
            return out
        neighbourhood = geo.locate(lat_f, lon_f)
        out.update(lat=lat_f, lon=lon_f, location_source=Report.LocationSource.MAP, neighbourhood=neighbourhood)
    elif postcode:
        try:
            found = postcode_locate(postcode)
        except PostcodeError as error:
            errors["postcode"] = error.message
            return out
        out.update(
            postcode=found.postcode,
            lat=found.lat,
            lon=found.lon,
            neighbourhood=found.neighbourhood,
            location_source=Report.LocationSource.POSTCODE,
        )
    elif address:
        out["location_source"] = Report.LocationSource.ADDRESS
    elif report_type.location == ReportType.Location.REQUIRED:
        errors["location"] = "Enter a postcode or an address, or choose a place on the map"
    if out["neighbourhood"] is not None:
        out["division"] = out["neighbourhood"].division
    return out


def report_submit(
    *,
    report_type: ReportType,
    answers: dict[str, Any],
    reporter_name: str,
    reporter_email: str,
    reporter_phone: str = "",
    postcode: str = "",
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    named_officer: Any = None,
    source: str = Report.Source.WEB,
    staged_evidence: Iterable[dict[str, Any]] = (),
    draft: ReportDraft | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Check and file a resident's report, route it, and queue the confirmation email.

    Raises ReportInvalid({field: message}) for anything the resident can correct: a question's key, or
    reporter_name / reporter_email / reporter_phone / postcode / address / location / report_type; the draft
    is then left as it was. `draft`, the draft the report was written in, is deleted in the report's own
    transaction: if it has gone already (a double-clicked submit) nothing is filed and ReportAlreadySent is
    raised, so one draft files one report.
    """
    now = now or timezone.now()
    reporter_name, reporter_email = (reporter_name or "").strip(), (reporter_email or "").strip()
    reporter_phone = (reporter_phone or "").strip()
    errors: dict[str, str] = {}
    if not report_type.active:
        errors["report_type"] = "You cannot report this online any more"
    errors.update(questions.validate_answers(report_type, answers))
    errors.update(_check_reporter(name=reporter_name, email=reporter_email, phone=reporter_phone, source=source))
    routing = _route(
        report_type=report_type,
        postcode=(postcode or "").strip(),
        address=(address or "").strip(),
        lat=lat,
        lon=lon,
        errors=errors,
    )
    if errors:
        raise ReportInvalid(errors)
    if named_officer is not None and not report_type.asks_named_officer:
        named_officer = None
    staged = list(staged_evidence) if report_type.allows_evidence else []

    # On PostgreSQL the number is taken before the report's transaction, so the counter row is locked only
    # briefly (see references.py). SQLite locks the whole database for any write, so there a transaction of
    # its own would only add a commit, and a hand-over of that lock, to every submission.
    separate = connection.vendor != "sqlite"
    reference = reference_next(now=now) if separate else ""
    # Worked out before the transaction: on SQLite the database's one write lock is held from its start.
    answers_clean = questions.answers_clean(report_type, answers)
    answers_shown = [
        {k: row[k] for k in ("key", "label", "answer")} for row in questions.answers_display(report_type, answers)
    ]
    with transaction.atomic():
        if draft is not None and not ReportDraft.objects.filter(pk=draft.pk).delete()[0]:
            raise ReportAlreadySent
        if not separate:
            reference = reference_next(now=now)
        report = Report.objects.create(
            reference=reference,
            report_type=report_type,
            source=source,
            answers=answers_clean,
            answers_shown=answers_shown,
            reporter_name=reporter_name,
            reporter_email=reporter_email,
            reporter_phone=reporter_phone,
            named_officer=named_officer,
            created_at=now,
            sla_amber_at=now + dt.timedelta(hours=report_type.sla_amber_hours),
            sla_red_at=now + dt.timedelta(hours=report_type.sla_red_hours),
            **routing,
        )
        if staged:
            from openbeat.reports.evidence import evidence_attach_staged

            evidence_attach_staged(report=report, staged=staged)
        # A report begun from a campaign's link is counted for the campaign (campaign_links.py).
        campaign_links.report_made(report=report, draft_data=draft.data if draft is not None else {})
        log_action(
            "reports.report.submit",
            actor=None,
            target=report,
            data={"type": report_type.slug, "source": source, "routed": bool(report.division_id)},
        )
        if reporter_email:
            email_send(
                to=reporter_email,
                template="reports/email/confirmation",
                # The reference, the type's name and a link, never what was typed: the address is whatever
                # was typed too, so anyone could otherwise have the force's mail server send text to anyone.
                context={
                    "reference": report.reference,
                    "type_name": report_type.name,
                    "status_url": status_start_url(),
                },
                purpose="reports.confirmation",
            )
        if report_type.handling_email:
            _tell_staff(report, report_type.handling_email, "arrived")
    return report


def _tell_staff(report: Report, to: str, what: str) -> None:
    """A notice to staff with the reference and a back-office link, nothing about the reporter."""
    email_send(
        to=to,
        template="reports/email/staff_notice",
        context={
            "reference": report.reference,
            "type_name": report.report_type.name,
            "what": what,
            "url": staff_report_url(report),
        },
        purpose=f"reports.staff_notice.{what}",
    )


# ------------------------------------------------------------------------------------------------ staff


def _locked(report: Report, actor: StaffUser) -> Report:
    """The report's row, locked for this transaction, after checking the actor may handle it."""
    if not can_handle(actor, report):
        raise ReportPermissionError()
    fresh = Report.objects.select_for_update().select_related("report_type").get(pk=report.pk)
    return fresh


def _sync(target: Report, source: Report) -> None:
    """Copy the saved row back onto the caller's instance, so it sees what changed."""
    for f in Report._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _event(report: Report, kind: str, *, author: StaffUser | None, body: str = "", **data: Any) -> ReportEvent:
    return ReportEvent.objects.create(report=report, kind=kind, author=author, body=body, data=data)


def _text(value: str, field: str, what: str, limit: int = MAX_MESSAGE) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise ReportInvalid({field: f"Enter {what}"})
    if len(value) > limit:
        raise ReportInvalid({field: f"{what.capitalize()} must be {limit} characters or fewer"})
    return value


@transaction.atomic
def report_triage(*, report: Report, actor: StaffUser) -> Report:
    """Mark a new report as looked at."""
    row = _locked(report, actor)
    if row.status != Report.Status.NEW:
        raise ReportInvalid({"status": "Only a new report can be triaged"})
    row.status = Report.Status.TRIAGED
    row.save(update_fields=["status", "updated_at"])
    _event(row, ReportEvent.Kind.STATUS, author=actor, old=Report.Status.NEW, new=row.status)
    log_action("reports.report.triage", actor=actor, target=row, data={"status": row.status})
    _sync(report, row)
    return report


@transaction.atomic
def report_assign(*, report: Report, actor: StaffUser, assignee: StaffUser | None = None, team: str = "") -> Report:
    """Give the report to a person who may handle it, or to a team by name; neither un-assigns it."""
    row = _locked(report, actor)
    team = (team or "").strip()
    if row.status == Report.Status.CLOSED:
        raise ReportInvalid({"assignee": "Reopen the report before assigning it"})
    if assignee is not None and not can_handle(assignee, row):
        raise ReportInvalid({"assignee": "Choose someone who can see this report"})
    if len(team) > 120:
        raise ReportInvalid({"team": "The team's name must be 120 characters or fewer"})
    old_status = row.status
    row.assigned_to, row.assigned_team = assignee, team
    if assignee is not None or team:
        if row.status != Report.Status.AWAITING_REPORTER:
            row.status = Report.Status.ASSIGNED
    elif row.status == Report.Status.ASSIGNED:
        row.status = Report.Status.TRIAGED
    row.save(update_fields=["assigned_to", "assigned_team", "status", "updated_at"])
    who = user_name(assignee) if assignee is not None else ""
    body = f"Assigned to {who or team}" if (who or team) else "Unassigned"
    data = {"assignee": assignee.pk if assignee is not None else None, "team": team}
    _event(row, ReportEvent.Kind.ASSIGNMENT, author=actor, body=body, **data)
    if row.status != old_status:
        _event(row, ReportEvent.Kind.STATUS, author=actor, old=old_status, new=row.status)
    log_action("reports.report.assign", actor=actor, target=row, data={**data, "status": row.status})
    _sync(report, row)
    return report


@transaction.atomic
def report_status_set(
    *,
    report: Report,
    actor: StaffUser,
    status: str,
    outcome: str = "",
    outcome_detail: str = "",
    public_note: str | None = None,
) -> Report:
    """Move the report to `status`. Closing needs an outcome; "crime recorded" needs the CRN in outcome_detail.
    `public_note` (None: unchanged) is what the reporter and Open311 see: never personal data."""
    row = _locked(report, actor)
    outcome_detail = (outcome_detail or "").strip()
    errors = {}
    if status not in Report.Status.values:
        errors["status"] = "Choose a status"
    if status == Report.Status.CLOSED:
        if outcome not in Report.Outcome.values or not outcome:
            errors["outcome"] = "Choose an outcome to close the report"
        elif outcome == Report.Outcome.CRIME_RECORDED and not outcome_detail:
            errors["outcome_detail"] = "Enter the crime reference number (CRN)"
    else:
        outcome, outcome_detail = "", ""
    if len(outcome_detail) > 200:
        errors["outcome_detail"] = "The detail must be 200 characters or fewer"
    if public_note is not None and len(public_note.strip()) > 500:
        errors["public_note"] = "The note must be 500 characters or fewer"
    if errors:
        raise ReportInvalid(errors)
    old = row.status
    row.status, row.outcome, row.outcome_detail = status, outcome, outcome_detail
    if public_note is not None:
        row.public_note = public_note.strip()
    if status == Report.Status.CLOSED and old != Report.Status.CLOSED:
        row.closed_at = timezone.now()
    elif status != Report.Status.CLOSED:
        row.closed_at = None
    row.save(update_fields=["status", "outcome", "outcome_detail", "public_note", "closed_at", "updated_at"])
    # The body is what the reporter's status page shows for this change: only the public note.
    _event(row, ReportEvent.Kind.STATUS, author=actor, body=row.public_note, old=old, new=status, outcome=outcome)
    log_action(
        "reports.report.status",
        actor=actor,
        target=row,
        data={"old": old, "status": status, "outcome": outcome, "public_note_changed": public_note is not None},
    )
    _sync(report, row)
    return report


@transaction.atomic
def report_note_add(*, report: Report, actor: StaffUser, body: str) -> ReportEvent:
    """An internal note: staff only, never shown to the reporter."""
    row = _locked(report, actor)
    event = _event(row, ReportEvent.Kind.NOTE, author=actor, body=_text(body, "body", "a note"))
    log_action("reports.report.note", actor=actor, target=row, data={"event": event.pk})
    return event


@transaction.atomic
def report_message_to_reporter(*, report: Report, actor: StaffUser, body: str) -> ReportEvent:
    """A message shown on the reporter's status page; they get an email saying there is one (see above)."""
    row = _locked(report, actor)
    event = _event(row, ReportEvent.Kind.TO_REPORTER, author=actor, body=_text(body, "body", "a message"))
    if row.reporter_email:
        email_send(
            to=row.reporter_email,
            template="reports/email/message_notice",
            context={"reference": row.reference, "status_url": status_start_url()},
            purpose="reports.message_notice",
        )
    log_action(
        "reports.report.message",
        actor=actor,
        target=row,
        data={"event": event.pk, "emailed": bool(row.reporter_email)},
    )
    return event


@transaction.atomic
def report_reply_from_reporter(*, report: Report, body: str) -> ReportEvent:
    """The reporter's reply from their status page. A report waiting for them goes back to its handler."""
    row = Report.objects.select_for_update().select_related("report_type").get(pk=report.pk)
    event = _event(row, ReportEvent.Kind.FROM_REPORTER, author=None, body=_text(body, "body", "your message"))
    if row.status == Report.Status.AWAITING_REPORTER:
        old = row.status
        row.status = Report.Status.ASSIGNED if (row.assigned_to_id or row.assigned_team) else Report.Status.TRIAGED
        row.save(update_fields=["status", "updated_at"])
        _event(row, ReportEvent.Kind.STATUS, author=None, old=old, new=row.status)
    log_action("reports.report.reply", actor=None, target=row, data={"event": event.pk, "status": row.status})
    if row.assigned_to is not None and row.assigned_to.email:
        _tell_staff(row, row.assigned_to.email, "replied")
    _sync(report, row)
    return event


@transaction.atomic
def reporter_details_erase(*, report: Report, actor: StaffUser, reason: str) -> Report:
    """Blank the reporter's name, email and phone on a closed report at their request (a right to erasure
    request the force has agreed to). What was reported stays. `reason` (e.g. the request's reference) is
    kept in an internal note and the audit log; the details themselves are in neither."""
    row = _locked(report, actor)
    reason = _text(reason, "reason", "why the details are being erased", limit=300)
    if row.status != Report.Status.CLOSED:
        raise ReportInvalid({"reason": "Close the report first: while it is open, staff need to reach the reporter"})
    if not (row.reporter_name or row.reporter_email or row.reporter_phone):
        raise ReportInvalid({"reason": "The reporter's contact details have already been erased"})
    row.reporter_name = row.reporter_email = row.reporter_phone = ""
    row.save(update_fields=["reporter_name", "reporter_email", "reporter_phone", "updated_at"])
    event = _event(row, ReportEvent.Kind.NOTE, author=actor, body=f"Reporter's contact details erased: {reason}")
    log_action("reports.reporter.erased", actor=actor, target=row, data={"event": event.pk, "reason": reason})
    _sync(report, row)
    return report


def report_personal_data_viewed(*, report: Report, actor: StaffUser, request: HttpRequest | None = None) -> None:
    """Record that `actor` is about to see the reporter's details and answers. Call before showing them."""
    log_action("reports.report.view_personal_data", actor=actor, target=report, request=request)


@transaction.atomic
def compliment_share(*, report: Report, actor: StaffUser) -> ReportEvent:
    """Email the compliment's words to the officer it names. The reporter's contact details are not sent."""
    row = _locked(report, actor)
    officer = row.named_officer
    if row.report_type.kind != ReportType.Kind.COMPLIMENT:
        raise ReportInvalid({"compliment": "Only a compliment can be shared with an officer"})
    if officer is None or not officer.email:
        raise ReportInvalid({"compliment": "This compliment does not name an officer with an email address"})
    email_send(
        to=officer.email,
        template="reports/email/compliment",
        context={"officer": officer, "reference": row.reference, "answers": row.answers_shown},
        purpose="reports.compliment_share",
    )
    event = _event(
        row, ReportEvent.Kind.NOTE, author=actor, body=f"Compliment shared with {officer.name}", officer=officer.pk
    )
    log_action("reports.report.share_compliment", actor=actor, target=row, data={"officer": officer.pk})
    return event


def reporter_details_expire(*, closed_before: dt.datetime) -> int:
    """Blank the reporter's name, email and phone on reports closed before `closed_before`; returns how many.

    What was reported (answers, place, evidence, the timeline) stays: it is the force's record. The contact
    details were needed to handle the report and to answer the reporter, and a closed report long past needs
    neither; without them the reporter can no longer sign in to its status page. One audit entry says how
    many, and names nobody."""
    expired = (
        Report.objects.filter(status=Report.Status.CLOSED, closed_at__lt=closed_before)
        .exclude(reporter_name="", reporter_email="", reporter_phone="")
        .update(reporter_name="", reporter_email="", reporter_phone="")
    )
    if expired:
        log_action(
            "reports.reporter.expired",
            actor=None,
            data={"reports": expired, "closed_before": closed_before.isoformat()},
        )
    return expired
