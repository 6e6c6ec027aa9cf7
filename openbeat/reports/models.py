"""Do It Online: report types the force configures, the reports residents send, and what staff do with them.

A report's answers are kept as JSON keyed by the question's `key`, so the force can change the questions
without a migration; the answers shown back are the ones the question asked at the time (`answers_shown`
keeps the labels as they were when the report was submitted).

Reporter contact details (name, email, phone) live on the report row and nowhere else; everything that
reaches the triage queue list, Open311 or insights is built from the other columns.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from openbeat.areas.models import Division, Neighbourhood


class ReportType(ClusterableModel):
    """One kind of report ("Report a non-emergency crime"), editable by the force in the back office."""

    class Kind(models.TextChoices):
        CRIME = "crime", "Non-emergency crime"
        INCIDENT = "incident", "Incident"
        CONTACT = "contact", "Contact an officer"
        COMPLIMENT = "compliment", "Compliment"
        COMPLAINT = "complaint", "Complaint about the police"
        LOST = "lost", "Lost property"
        FOUND = "found", "Found property"
        JOIN = "join", "Join us"
        OTHER = "other", "Other"

    class Location(models.TextChoices):
        REQUIRED = "required", "Required"
        OPTIONAL = "optional", "Optional"
        NONE = "none", "Not asked"

    slug = models.SlugField(max_length=60, unique=True, help_text="In the address and as the Open311 service code.")
    name = models.CharField(max_length=120, help_text="e.g. 'Report a non-emergency crime'.")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.OTHER)
    summary = models.CharField(max_length=300, help_text="One line on the list of things you can report.")
    start_page = models.TextField(
        blank=True, help_text="Shown on the start page before the first question (blank lines part paragraphs)."
    )
    signposts = models.JSONField(
        default=list,
        blank=True,
        help_text='Other services shown on the start page: [{"text": "...", "url": "https://..."}].',
    )
    location = models.CharField(max_length=10, choices=Location.choices, default=Location.OPTIONAL)
    allows_evidence = models.BooleanField(default=False)
    max_evidence_files = models.PositiveSmallIntegerField(default=5)
    # Hours from submission until the queue shows the report amber, then red, while it is not closed.
    sla_amber_hours = models.PositiveIntegerField(default=48)
    sla_red_hours = models.PositiveIntegerField(default=120)
    # Reports of this type go to one named team instead of the division's queue (complaints to Professional
    # Standards, compliments to the recognition team). Only members of that group (and administrators) see them.
    handling_group = models.ForeignKey(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="If set, only this team handles (and sees) reports of this type, force-wide.",
    )
    handling_email = models.EmailField(blank=True, help_text="Told (without personal data) when a report arrives.")
    asks_named_officer = models.BooleanField(default=False, help_text="Offer a choice of officer.")
    open311 = models.BooleanField(default=True, help_text="Offered through the Open311 API.")
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A question of a report type. Questions sharing a `page` number are asked on one page."""

    class Kind(models.TextChoices):
        TEXT = "text", "Short text"
        TEXTAREA = "textarea", "Long text"
        CHOICE = "choice", "One choice (radios)"
        MULTICHOICE = "multichoice", "Several choices (checkboxes)"
        YES_NO = "yes_no", "Yes or no"
        DATE = "date", "Date"
        TIME = "time", "Time"
        NUMBER = "number", "Number"

    report_type = ParentalKey(ReportType, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=60, help_text="Stable name for the answer; do not change once in use.")
    label = models.CharField(max_length=300)
    hint = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(default=list, blank=True, help_text='[{"value": "car", "label": "A car"}]')
    required = models.BooleanField(default=True)
    max_length = models.PositiveIntegerField(default=5000)
    page = models.PositiveSmallIntegerField(default=1)
    page_title = models.CharField(max_length=200, blank=True, help_text="The page's heading (first question's wins).")
    # Shown only when an earlier answer matches: {"question": "<key>", "in": ["value", ...]}.
    condition = models.JSONField(null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["page", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["report_type", "key"], name="question_key_unique")]

    def __str__(self) -> str:
        return self.label


class Report(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        ASSIGNED = "assigned", "Assigned"
        AWAITING_REPORTER = "awaiting_reporter", "Awaiting reporter"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        NONE = "", "—"
        CRIME_RECORDED = "crime_recorded", "Crime recorded"
        NO_FURTHER_ACTION = "nfa", "No further action"
        PASSED_TO_AGENCY = "passed_on", "Passed to another agency"
        RESOLVED = "resolved", "Resolved"
        SHARED = "shared", "Shared with the officer"
        DUPLICATE = "duplicate", "Duplicate"

    class Source(models.TextChoices):
        WEB = "web", "Website"
        OPEN311 = "open311", "Open311 API"
        STAFF = "staff", "Entered by staff"
        PACT = "pact", "PACT meeting question"

    class LocationSource(models.TextChoices):
        NONE = "", "No location"
        POSTCODE = "postcode", "Postcode"
        ADDRESS = "address", "Address"
        MAP = "map", "Map pin"

    reference = models.CharField(max_length=20, unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    report_type = models.ForeignKey(ReportType, on_delete=models.PROTECT, related_name="reports")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.NONE, blank=True)
    outcome_detail = models.CharField(max_length=200, blank=True, help_text="e.g. the CRN, or which agency.")
    # Null division: the force-wide queue (no location, or outside every neighbourhood).
    division = models.ForeignKey(Division, on_delete=models.PROTECT, null=True, blank=True, related_name="reports")
    neighbourhood = models.ForeignKey(
        Neighbourhood, on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    location_source = models.CharField(max_length=10, choices=LocationSource.choices, default="", blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    address = models.CharField(max_length=300, blank=True)
    answers = models.JSONField(default=dict)
    # [{"key", "label", "answer"}] as shown on "check your answers" when submitted: the record of what was asked.
    answers_shown = models.JSONField(default=list)
    reporter_name = models.CharField(max_length=160, blank=True)
    reporter_email = models.EmailField(blank=True)
    reporter_phone = models.CharField(max_length=20, blank=True)
    named_officer = models.ForeignKey(
        "staff.Officer", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_reports"
    )
    assigned_team = models.CharField(max_length=120, blank=True, help_text="A team name when not one person.")
    # Written by staff for the public (Open311 status_notes, the reporter's status page). Never personal data.
    public_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the queue turns this report amber and red (from the type's hours at submission), for sorting.
    sla_amber_at = models.DateTimeField()
    sla_red_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The triage queue's first page: open reports of a division, oldest SLA first.
            models.Index(fields=["division", "status", "sla_red_at"], name="report_queue_idx"),
            models.Index(fields=["status", "sla_red_at"], name="report_queue_all_idx"),
            # The default queue (every open report, most urgent first) reads this in order and stops at a page,
            # whatever other filters (types closed to the user) apply.
            models.Index(fields=["sla_red_at", "id"], condition=~models.Q(status="closed"), name="report_open_sla_idx"),
            models.Index(fields=["report_type", "created_at"], name="report_type_month_idx"),
        ]
        permissions = [
            ("triage_report", "Can see and handle reports in the triage queue"),
            ("view_evidence", "Can open evidence files"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class ReportEvent(models.Model):
    """The report's timeline: notes, messages either way, status changes, assignments."""

    class Kind(models.TextChoices):
        NOTE = "note", "Internal note"
        TO_REPORTER = "to_reporter", "Message to the reporter"
        FROM_REPORTER = "from_reporter", "Message from the reporter"
        STATUS = "status", "Status change"
        ASSIGNMENT = "assignment", "Assignment"
        EVIDENCE = "evidence", "Evidence added"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on report {self.report_id}"

    @property
    def visible_to_reporter(self) -> bool:
        return self.kind in {self.Kind.TO_REPORTER, self.Kind.FROM_REPORTER, self.Kind.STATUS, self.Kind.EVIDENCE}


class Evidence(models.Model):
    class Scan(models.TextChoices):
        PENDING = "pending", "Waiting for scan"
        CLEAN = "clean", "Clean"
        QUARANTINED = "quarantined", "Quarantined"
        NOT_SCANNED = "not_scanned", "No scanner configured"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="evidence")
    # Relative to PRIVATE_STORAGE_ROOT/evidence; never under MEDIA_ROOT or static.
    path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, help_text="Detected from the content, not the name.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    scan = models.CharField(max_length=12, choices=Scan.choices, default=Scan.PENDING)
    scan_detail = models.CharField(max_length=200, blank=True)
    from_reporter = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ReportDraft(models.Model):
    """An unfinished journey, kept server-side under a random key held in a long-lived cookie, so that it
    survives the session expiring."""

    key = models.CharField(max_length=64, unique=True)
    report_type = models.ForeignKey(ReportType, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"Draft {self.pk}"


class ReferenceCounter(models.Model):
    """The last number given out per year: references are `<prefix>-<year>-<number, six digits>`."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Open311Key(models.Model):
    """An API key for `POST requests`. Only a hash is stored; the key is shown once when created."""

    name = models.CharField(max_length=120, help_text="Who uses it, e.g. 'FixMyStreet'.")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to recognise it.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
