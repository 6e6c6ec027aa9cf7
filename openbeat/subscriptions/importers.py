"""Existing subscribers from a force's previous messaging system (a Neighbourhood Alert export, say), from a CSV.

Columns (names case-insensitive; `Columns` renames them): email, phone, postcode, interests (slugs or names
separated by ";" or "|"), consent_date (ISO date or date-time, or dd/mm/yyyy), consent_source (e.g.
"Neighbourhood Alert"), and optionally language and phone_verified (yes/no, true/false, 1/0).

Imported people are active at once and are sent nothing: they consented in the old system (their consent
is recorded with its date, its source and the import wording), and a welcome to tens of thousands of people
on moving day would flood them and the force's inbox. Someone already subscribed (the same email, or the same
phone when the row has no email) is left exactly as they are: a resident's own later choices win over an
old export, and importing the same file again changes nothing.

Speed: rows are checked in Python, then looked up and written a chunk at a time: postcodes and existing
subscribers are fetched per chunk, interests once, and subscribers, their home areas and consents are bulk
inserted. The derived columns audience resolution relies on are set exactly as the services set them:
`home_neighbourhood` as `services.subscriber_set_areas` does (the home area's neighbourhood), `interest_bits`
as `services.interest_bits_for` computes it (active interests only).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from openbeat.areas.importers.files import open_text
from openbeat.areas.importers.report import ImportFileError, ImportReport, progress_bar
from openbeat.areas.models import Postcode
from openbeat.areas.postcodes import OutsideForceArea, PostcodeError, UnknownPostcode, normalise_postcode
from openbeat.audit.services import log_action
from openbeat.core.imports import job_claim, job_queue, upload_discard, upload_keep, upload_path
from openbeat.core.models import Force
from openbeat.core.users import RequestUser, StaffUser
from openbeat.subscriptions.models import Consent, ImportJob, Interest, Subscriber, WatchedArea
from openbeat.subscriptions.signup import normalise_email

# When the interests cell is empty: what nearly every resident of a neighbourhood alert scheme wants.
DEFAULT_INTEREST_SLUGS = ("emergency-warnings", "crime-alerts")
IMPORT_SOURCE = "import"
# The words kept with each imported consent: what the person agreed to was the old system's wording, so
# the record says where and when they gave it, and why it is here.
IMPORT_CONSENT_WORDING = (
    "Consent given to {source} on {date} to receive community messages from {force}, carried over when "
    "{force} moved to In the Know."
)
CHUNK_ROWS = 2_000
MAX_CONSENT_SOURCE = 52  # Consent.source holds 60 characters, "import: " included
_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0", ""}
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
# Ofcom's numbers for drama (07700 900000-900999) reach nobody; phonenumbers calls them invalid, but the demo
# and the tests use them precisely because they reach nobody.
_DRAMA = re.compile(r"\+447700900\d{3}")


@dataclass(frozen=True)
class Columns:
    """The file's column names for each field (compared case-insensitively)."""

    email: str = "email"
    phone: str = "phone"
    postcode: str = "postcode"
    interests: str = "interests"
    consent_date: str = "consent_date"
    consent_source: str = "consent_source"
    language: str = "language"
    phone_verified: str = "phone_verified"

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


class RowError(ValueError):
    """Why one row cannot be imported (worded without the row's personal data)."""


@dataclass
class CsvRows:
    """A file's header (field -> column index) and its non-blank rows as (line number, cells)."""

    columns: dict[str, int]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def _file_error(source: str, reason: str) -> ImportFileError:
    """Prefixed with the file's name for a command; a sentence of its own for a page that has just had it."""
    return ImportFileError(f"{source}: {reason}" if source else reason[:1].upper() + reason[1:])


def read_rows(handle: IO[str], columns: Columns = Columns(), *, source: str = "") -> CsvRows:
    """Read a whole CSV. ImportFileError when it has no usable header or is not CSV at all."""
    # Strict: an unclosed quote would otherwise swallow every later row into one cell, silently.
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise _file_error(source, "the file is empty")
        found = _header_columns(header, columns, source=source)
        result = CsvRows(columns=found)
        previous_end = reader.line_num
        for cells in reader:
            # A quoted value may span lines: a row's number is the line it starts on.
            start, previous_end = previous_end + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                result.rows.append((start, cells))
    except csv.Error as exc:
        raise _file_error(source, f"line {reader.line_num}: not valid CSV ({exc})") from exc
    except UnicodeDecodeError as exc:
        raise _file_error(source, "not a UTF-8 text file") from exc
    return result


def read_text(text: str, columns: Columns = Columns(), *, source: str = "") -> CsvRows:
    """Read a CSV already in memory (an upload), refusing binary files that happen to decode."""
    if "\x00" in text:
        raise _file_error(source, "not a text file")
    return read_rows(io.StringIO(text.removeprefix("\ufeff"), newline=""), columns, source=source)


def _header_columns(header: list[str], columns: Columns, *, source: str) -> dict[str, int]:
    by_name = {name.strip().lower(): index for index, name in reversed(list(enumerate(header)))}
    wanted = {name: getattr(columns, name).strip().lower() for name in Columns.names()}
    found = {name: by_name[column] for name, column in wanted.items() if column in by_name}
    missing = [getattr(columns, name) for name in ("postcode", "consent_date") if name not in found]
    if "email" not in found and "phone" not in found:
        missing.append(f"{columns.email} or {columns.phone}")
    if missing:
        listed = ", ".join(repr(m) for m in missing)
        raise _file_error(source, f"no column {listed} (the header has {', '.join(header) or 'nothing'})")
    return found


@dataclass
class _Row:
    line: int
    email: str | None
    phone: str | None
    phone_verified: bool
    postcode: str
    interest_bits: int
    consent_at: datetime
    consent_source: str
    language: str
    # Filled from the postcode lookup.
    neighbourhood_id: int = 0
    lat: float | None = None
    lon: float | None = None


def phone_normalise(text: str) -> str:
    """A UK mobile number (texts are all a phone is for here) in E.164, or RowError."""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException as exc:
        raise RowError("phone: not a phone number") from exc
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if _DRAMA.fullmatch(e164):
        return e164
    mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if number.country_code != 44 or not mobile or not phonenumbers.is_valid_number(number):
        raise RowError("phone: not a UK mobile number")
    return e164


def consent_date_parse(text: str, *, now: datetime) -> datetime:
    """ISO date or date-time, or dd/mm/yyyy; a date without a time is midnight, force-local."""
    text = text.strip()
    if not text:
        raise RowError("no consent date (without consent nobody is imported)")
    try:
        if match := _DMY.fullmatch(text):
            day, month, year = map(int, match.groups())
            parsed = datetime.combine(date(year, month, day), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise RowError("consent_date: not a date (use 2024-03-31 or 31/03/2024)") from exc
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if parsed > now + timedelta(days=1):
        raise RowError("consent_date: in the future")
    return parsed


def _interest_lookup() -> tuple[dict[str, int], int]:
    """Active interests by slug and by name (lower case) -> bit; and the default interests' mask."""
    lookup: dict[str, int] = {}
    for slug, name, bit in Interest.objects.filter(active=True).values_list("slug", "name", "bit"):
        lookup[name.strip().lower()] = bit
        lookup[slug.lower()] = bit
    default = sum(1 << lookup[slug] for slug in DEFAULT_INTEREST_SLUGS if slug in lookup)
    return lookup, default


def _languages() -> dict[str, str]:
    """Language codes and names (lower case) -> code, from SUBSCRIBER_LANGUAGES."""
    lookup: dict[str, str] = {}
    for code, label in settings.SUBSCRIBER_LANGUAGES:
        lookup[code.lower()] = code
        lookup[label.lower()] = code
        # "Cymraeg (Welsh)": both "Cymraeg" and "Welsh" are understood.
        for part in re.split(r"[()]", label):
            if part.strip():
                lookup[part.strip().lower()] = code
    return lookup


class _Importer:
    """One import: checks rows, looks them up and writes them, a chunk at a time."""

    def __init__(self, *, columns: dict[str, int], consent_source: str, report: ImportReport, dry_run: bool) -> None:
        self.columns = columns
        self.default_source = consent_source.strip()
        self.report = report
        self.dry_run = dry_run
        self.now = timezone.now()
        self.interests, self.default_bits = _interest_lookup()
        self.languages = _languages()
        self.force_name = Force.current().name
        self.first_line_of: dict[str, int] = {}  # email or phone -> the line that first had it
        self.chunk_errors: list[tuple[int, str]] = []
        self.wordings: dict[tuple[str, datetime], str] = {}
        self.dates: dict[str, datetime] = {}
        self._outside_message = ""

    def cell(self, cells: list[str], name: str) -> str:
        index = self.columns.get(name)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def parse(self, line: int, cells: list[str]) -> _Row:
        email = normalise_email(self.cell(cells, "email")) if self.cell(cells, "email") else None
        if email is not None:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise RowError("email: not a valid email address") from exc
            if len(email) > Subscriber._meta.get_field("email").max_length:  # type: ignore[operator]
                raise RowError("email: too long")
        phone_text = self.cell(cells, "phone")
        phone = phone_normalise(phone_text) if phone_text else None
        if email is None and phone is None:
            raise RowError("no email address or phone number")
        verified_text = self.cell(cells, "phone_verified").lower()
        if verified_text not in _TRUE | _FALSE:
            raise RowError("phone_verified: use yes or no")
        try:
            postcode = normalise_postcode(self.cell(cells, "postcode"))
        except PostcodeError as exc:
            raise RowError(f"postcode: {exc.message}") from exc
        source = self.cell(cells, "consent_source") or self.default_source
        if not source:
            raise RowError("no consent source (where the person gave their consent)")
        if len(source) > MAX_CONSENT_SOURCE:
            raise RowError(f"consent_source: longer than {MAX_CONSENT_SOURCE} characters")
        return _Row(
            line=line,
            email=email,
            phone=phone,
            phone_verified=phone is not None and verified_text in _TRUE,
            postcode=postcode,
            interest_bits=self.interest_bits(self.cell(cells, "interests")),
            consent_at=self.consent_at(self.cell(cells, "consent_date")),
            consent_source=source,
            language=self.language(self.cell(cells, "language")),
        )

    def consent_at(self, text: str) -> datetime:
        # An export has few distinct dates (or times): parse each once.
        if text not in self.dates:
            self.dates[text] = consent_date_parse(text, now=self.now)
        return self.dates[text]

    def interest_bits(self, text: str) -> int:
        names = [name.strip() for name in re.split(r"[;|]", text) if name.strip()]
        if not names:
            return self.default_bits
        unknown = [name for name in names if name.lower() not in self.interests]
        if unknown:
            raise RowError(f"interests: unknown {', '.join(repr(name) for name in unknown)}")
        return sum({1 << self.interests[name.lower()] for name in names})

    def language(self, text: str) -> str:
        if not text:
            return "en"
        try:
            return self.languages[text.lower()]
        except KeyError:
            codes = ", ".join(code for code, _ in settings.SUBSCRIBER_LANGUAGES)
            raise RowError(f"language: {text!r} is not one of {codes}") from None

    @property
    def outside_message(self) -> str:
        if not self._outside_message:
            self._outside_message = OutsideForceArea().message
        return self._outside_message

    def run(self, chunk: list[tuple[int, list[str]]]) -> None:
        self.chunk_errors = []
        rows: list[_Row] = []
        for line, cells in chunk:
            try:
                rows.append(self.parse(line, cells))
            except RowError as exc:
                self.error(line, str(exc))
        rows = self.locate(rows)
        rows = self.first_of_each_person(rows)
        for attempt in range(2):
            new = self.not_yet_subscribed(rows)
            try:
                if not self.dry_run:
                    self.write(new)
                break
            except IntegrityError:
                # Someone subscribed with one of these addresses since we looked: look again, once.
                if attempt:
                    raise
        self.report.created += len(new)
        self.report.unchanged += len(rows) - len(new)
        # Checks run in stages; the report lists a chunk's errors in the file's order.
        for line, reason in sorted(self.chunk_errors):
            self.report.error(line, reason)

    def error(self, line: int, reason: str) -> None:
        self.chunk_errors.append((line, reason))

    def locate(self, rows: list[_Row]) -> list[_Row]:
        """Rows whose postcode is a known one inside the force, with its point and neighbourhood."""
        found = {
            postcode: (lat, lon, neighbourhood_id)
            for postcode, lat, lon, neighbourhood_id in Postcode.objects.filter(
                postcode__in={row.postcode for row in rows}
            ).values_list("postcode", "lat", "lon", "neighbourhood_id")
        }
        located = []
        for row in rows:
            if row.postcode not in found:
                self.error(row.line, f"postcode: {UnknownPostcode.message}")
                continue
            row.lat, row.lon, neighbourhood_id = found[row.postcode]
            if neighbourhood_id is None:
                self.error(row.line, f"postcode: {self.outside_message}")
                continue
            row.neighbourhood_id = neighbourhood_id
            located.append(row)
        return located

    def first_of_each_person(self, rows: list[_Row]) -> list[_Row]:
        """A person appears once per file: later rows with the same email (or phone, without email) are errors."""
        kept = []
        for row in rows:
            key = row.email.lower() if row.email else f"tel:{row.phone}"
            first = self.first_line_of.setdefault(key, row.line)
            if first != row.line:
                what = "email address" if row.email else "phone number"
                self.error(row.line, f"the same {what} as line {first} (only the first is imported)")
                continue
            kept.append(row)
        return kept

    def not_yet_subscribed(self, rows: list[_Row]) -> list[_Row]:
        emails = {row.email.lower() for row in rows if row.email}
        phones = {row.phone for row in rows if not row.email and row.phone}
        # Sign-up keeps an address's local part as typed (normalise_email): compare in lower case.
        taken_emails = set(
            Subscriber.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .values_list("email_lower", flat=True)
        )
        taken_phones = set(Subscriber.objects.filter(phone__in=phones).values_list("phone", flat=True))
        return [
            row
            for row in rows
            if (row.email.lower() not in taken_emails if row.email else row.phone not in taken_phones)
        ]

    @transaction.atomic
    def write(self, rows: list[_Row]) -> None:
        public_ids = [uuid.uuid4() for _ in rows]
        insert_many(
            Subscriber,
            [
                {
                    "public_id": public_id,
                    "status": Subscriber.Status.ACTIVE,
                    "email": row.email,
                    "email_confirmed_at": row.consent_at if row.email else None,
                    "phone": row.phone,
                    "phone_verified_at": row.consent_at if row.phone_verified else None,
                    # Texts by day only: night-time texts are for residents who ask for them.
                    "sms_day": row.phone_verified,
                    "language": row.language,
                    "interest_bits": row.interest_bits,
                    "home_neighbourhood_id": row.neighbourhood_id,
                    "source": IMPORT_SOURCE,
                }
                for public_id, row in zip(public_ids, rows, strict=True)
            ],
        )
        pks = dict(Subscriber.objects.filter(public_id__in=public_ids).values_list("public_id", "pk"))
        insert_many(
            WatchedArea,
            [
                {
                    "subscriber_id": pks[public_id],
                    "neighbourhood_id": row.neighbourhood_id,
                    "postcode": row.postcode,
                    "lat": row.lat,
                    "lon": row.lon,
                    "is_home": True,
                }
                for public_id, row in zip(public_ids, rows, strict=True)
            ],
        )
        insert_many(
            Consent,
            [
                {
                    "subscriber_id": pks[public_id],
                    "purpose": Consent.Purpose.CONTACT,
                    "wording": self.wording(row),
                    "source": f"{IMPORT_SOURCE}: {row.consent_source}",
                    "given_at": row.consent_at,
                }
                for public_id, row in zip(public_ids, rows, strict=True)
            ],
        )

    def wording(self, row: _Row) -> str:
        key = (row.consent_source, row.consent_at)
        if key not in self.wordings:
            self.wordings[key] = import_consent_wording(
                source=row.consent_source, given_at=row.consent_at, force=self.force_name
            )
        return self.wordings[key]


# Values of these kinds need the database's own form (a UUID is text on SQLite; a datetime is UTC text).
_PREPARED_TYPES = {"UUIDField", "DateTimeField", "DateField", "JSONField", "DecimalField"}


def insert_many(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """INSERT rows (attname -> value; other fields take their defaults) in one executemany.

    The ORM's bulk_create spent most of a 50,000-row import building SQL, per object and field; this builds it
    once. Defaults and auto_now_add are filled as the ORM would fill them.
    """
    if not rows:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column or f.attname) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)

    prepared = {f.attname for f in fields if f.get_internal_type() in _PREPARED_TYPES}
    # Imports repeat the same few dates: prepare each once.
    memo: dict[tuple[str, Any], Any] = {}

    def value_of(field: models.Field, row: dict[str, Any]) -> Any:
        if field.attname in row:
            value = row[field.attname]
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            value = now
        else:
            value = field.get_default()
        if field.attname not in prepared:
            return value
        if isinstance(value, datetime):
            key = (field.attname, value)
            if key not in memo:
                memo[key] = field.get_db_prep_save(value, connection)
            return memo[key]
        return field.get_db_prep_save(value, connection)

    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(value_of(field, row) for field in fields) for row in rows])


def import_consent_wording(*, source: str, given_at: datetime, force: str) -> str:
    when = timezone.localtime(given_at).date()
    return IMPORT_CONSENT_WORDING.format(source=source, date=f"{when.day} {when:%B %Y}", force=force)


ProgressCallback = Callable[[ImportReport, int, int], None]


def import_rows(
    data: CsvRows,
    *,
    consent_source: str = "",
    dry_run: bool = False,
    progress: bool = False,
    on_progress: ProgressCallback | None = None,
    actor: StaffUser | None = None,
    audit: bool = True,
) -> ImportReport:
    """Import rows already read with `read_rows`. `on_progress(report, processed, total)` after each chunk."""
    report = ImportReport()
    importer = _Importer(columns=data.columns, consent_source=consent_source, report=report, dry_run=dry_run)
    total = len(data.rows)
    with progress_bar(enabled=progress, total=total, desc="subscribers", unit="rows") as bar:
        for start in range(0, total, CHUNK_ROWS):
            chunk = data.rows[start : start + CHUNK_ROWS]
            importer.run(chunk)
            bar.update(len(chunk))
            if on_progress is not None:
                on_progress(report, start + len(chunk), total)
    if report.unchanged:
        report.notes.append(f"{report.unchanged} already subscribed: left as they are (counted as unchanged)")
    if dry_run:
        report.notes.append("Dry run: nothing was written")
    if audit:
        log_action(
            "subscriptions.import.run", actor=actor, data={**report.as_dict(), "rows": total, "dry_run": dry_run}
        )
    return report


def import_subscribers(
    path: str | Path,
    *,
    columns: Columns = Columns(),
    consent_source: str = "",
    dry_run: bool = False,
    progress: bool = False,
    actor: StaffUser | None = None,
) -> ImportReport:
    """Import a CSV of existing subscribers; bad rows are reported as "line N: reason" and left out."""
    with open_text(path) as handle:
        data = read_rows(handle, columns, source=Path(path).name)
    return import_rows(data, consent_source=consent_source, dry_run=dry_run, progress=progress, actor=actor)


# Import jobs: a file uploaded in the back office, imported by a background task (tasks.import_job_task) while
# the page polls the job's row for progress.

IMPORT_FOLDER = "subscriber-imports"
JOB_ERRORS_KEPT = 200
UNEXPECTED_FAILURE = (
    "The import stopped because of an unexpected error. The rows imported so far are kept; importing the same "
    "file again adds the rest and changes nothing else."
)


def import_job_create(
    *, content: bytes, file_name: str, total: int, consent_source: str, user: RequestUser, request: Any = None
) -> ImportJob:
    """Keep the uploaded file privately and queue its import (after the transaction commits)."""
    from openbeat.subscriptions.tasks import import_job_task

    stored = upload_keep(content, folder=IMPORT_FOLDER, suffix=".csv")
    job = ImportJob.objects.create(
        created_by=user if user.is_authenticated else None,
        file_name=Path(file_name).name[:200],
        stored_file=stored,
        consent_source=consent_source.strip(),
        total=total,
    )
    log_action("subscriptions.import.upload", actor=user, target=job, data={"rows": total}, request=request)
    job_queue(import_job_task, job.pk)
    return job


def _job_progress(job_id: int, report: ImportReport, processed: int, total: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(processed=processed, **_job_counts(report))


def _job_counts(report: ImportReport) -> dict[str, Any]:
    return {
        "created": report.created,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "error_count": report.error_count,
        "errors": report.errors[:JOB_ERRORS_KEPT],
    }


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job once: a task delivered twice, or for a job already run, does nothing."""
    if not job_claim(ImportJob, job_id, field="state", queued=ImportJob.State.QUEUED, running=ImportJob.State.RUNNING):
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        with open_text(upload_path(job.stored_file)) as handle:
            data = read_rows(handle, source=job.file_name)
        ImportJob.objects.filter(pk=job.pk).update(total=len(data.rows))
        report = import_rows(
            data,
            consent_source=job.consent_source,
            on_progress=lambda report, processed, total: _job_progress(job.pk, report, processed, total),
            audit=False,
        )
    except ImportFileError as exc:
        _job_finish(job, state=ImportJob.State.FAILED, failure=str(exc))
    except Exception:
        _job_finish(job, state=ImportJob.State.FAILED, failure=UNEXPECTED_FAILURE)
        raise
    else:
        _job_finish(job, state=ImportJob.State.DONE, report=report)
    return job


def _job_finish(job: ImportJob, *, state: str, failure: str = "", report: ImportReport | None = None) -> None:
    upload_discard(job.stored_file)  # whatever happened, the file of personal data does not outlive its job
    counts = {**_job_counts(report), "processed": models.F("total")} if report is not None else {}
    ImportJob.objects.filter(pk=job.pk).update(
        state=state, failure=failure[:300], stored_file="", finished_at=timezone.now(), **counts
    )
    job.refresh_from_db()
    log_action(
        "subscriptions.import.finish",
        actor=job.created_by,
        target=job,
        data={
            "state": state,
            "rows": job.total,
            "created": job.created,
            "unchanged": job.unchanged,
            "skipped": job.skipped,
            "errors": job.error_count,
        },
    )
