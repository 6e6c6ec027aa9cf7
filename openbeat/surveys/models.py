"""Surveys: the definition staff edit, the versions residents answer, and the responses with their answers.

A survey's definition lives in rows (`Survey`, `Section`, `Question`, `Option`, `Condition`) while it is being
edited. Publishing freezes it as JSON in a `SurveyVersion` (logic.definition_of), and every response refers to the
version it answered, so a later edit never changes what an earlier answer meant. A version that has answers is
never changed again: publishing after an edit makes the next version.

Responses come by three channels: the public link, In the Know personal links (one response per recipient:
`Response.recipient_key`, surveys.invitations) and the officer's offline phone app (surveys.devices). Each
carries a client-generated UUID (`client_id`, unique): a channel that retries sends the same id, so the same
answers twice are one response, and different answers under one id are a `ResponseConflict` kept for review
(services.response_submit, then services.conflict_resolve), never an overwrite or a duplicate.

`Answer` is one row per response x question (x option for multiple choice, x statement for a grid), with the
response's neighbourhood, division, channel and time copied in, so that results are one GROUP BY over indexed
columns of one table (selectors.question_counts) whatever the filter.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Survey(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, help_text="In the public link: /surveys/<slug>/.")
    intro = models.TextField(blank=True, help_text="Shown on the survey's first page.")
    privacy_notice = models.TextField(
        help_text="What is collected, why, who sees it and how long it is kept. Linked from every page."
    )
    # None: a force-wide survey, changed only by force-wide staff.
    division = models.ForeignKey(
        "areas.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="surveys"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    current_version = models.ForeignKey(
        "SurveyVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "title"]
        permissions = [
            ("manage_survey", "Can build, publish and close surveys"),
            ("view_survey_results", "Can see surveys' results and moderate free text"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("surveys:start", kwargs={"slug": self.slug})

    @property
    def scope_label(self) -> str:
        return f"{self.division.name} division" if self.division is not None else "The whole force"


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "One answer from a list"
        MULTIPLE = "multiple", "Several answers from a list"
        SCALE_5 = "scale5", "A scale from 1 to 5"
        SCALE_10 = "scale10", "A scale from 0 to 10"
        GRID = "grid", "Agree or disagree with several statements"
        TEXT = "text", "Free text"
        POSTCODE = "postcode", "Postcode"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Option(models.Model):
    """A choice of a single or multiple choice question, or a statement of a grid."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class Condition(models.Model):
    """Show a section or a question only when an earlier question was answered with `option` (all must hold)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, null=True, blank=True, related_name="conditions")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, null=True, blank=True, related_name="conditions")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(section__isnull=True, question__isnull=False)
                | Q(section__isnull=False, question__isnull=True),
                name="survey_condition_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"when {self.option_id}"


class SurveyVersion(models.Model):
    """A survey's definition as published: frozen once any response refers to it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["survey", "-number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="surveyversion_number_unique")]

    def __str__(self) -> str:
        return f"{self.survey_id} v{self.number}"


class Channel(models.TextChoices):
    PUBLIC = "public", "Public link"
    IN_THE_KNOW = "itk", "In the Know"
    OFFICER = "officer", "Officer's device"


class Response(models.Model):
    client_id = models.UUIDField(unique=True, default=uuid.uuid4, help_text="Made by the client; retries resend it.")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    neighbourhood = models.ForeignKey(
        "areas.Neighbourhood", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    division = models.ForeignKey("areas.Division", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The answers' digest (logic.answers_digest): a retry with the same answers matches it.
    digest = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(help_text="When the person submitted (the device's clock for offline use).")
    received_at = models.DateTimeField(auto_now_add=True)
    # In the Know: an HMAC of (survey, subscriber) under a server secret (surveys.invitations), so one response
    # per recipient and nothing that names them once they are erased. Blank for the other channels.
    recipient_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "recipient_key"],
                condition=~Q(recipient_key=""),
                name="surveyresponse_one_per_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["survey", "submitted_at"], name="surveyresponse_time_idx"),
            models.Index(fields=["survey", "division"], name="surveyresponse_div_idx"),
            models.Index(fields=["survey", "neighbourhood"], name="surveyresponse_nbh_idx"),
        ]

    def __str__(self) -> str:
        return str(self.client_id)


class Answer(models.Model):
    """One answer value. Columns copied from the response make every result filter a single-table query."""

    class Moderation(models.TextChoices):
        PENDING = "pending", "Not yet read"
        SHOWN = "shown", "Shown in results"
        HIDDEN = "hidden", "Hidden"

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    # Ids inside the version's definition (stable across versions: they are the builder rows' ids).
    question_id = models.PositiveIntegerField()
    option_id = models.PositiveIntegerField(null=True, blank=True)  # the choice, or a grid's statement
    value = models.SmallIntegerField(null=True, blank=True)  # a scale's or a grid statement's number
    text = models.TextField(blank=True)
    moderation = models.CharField(max_length=10, choices=Moderation.choices, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    neighbourhood_id = models.PositiveIntegerField(null=True, blank=True)
    division_id = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["survey", "question_id", "option_id", "value"], name="surveyanswer_count_idx"),
            # Covering: a division's results, or a breakdown by neighbourhood, are read from the index alone.
            models.Index(
                fields=["survey", "neighbourhood_id", "question_id", "option_id", "value"], name="surveyanswer_nbh_idx"
            ),
            models.Index(
                fields=["survey", "division_id", "question_id", "option_id", "value"], name="surveyanswer_div_idx"
            ),
            models.Index(fields=["survey", "submitted_at"], name="surveyanswer_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}: {self.question_id}"


class ResponseConflict(models.Model):
    """A second submission under a response's client id with different answers: kept for staff to review."""

    client_id = models.UUIDField(db_index=True)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="conflicts")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    answers = models.JSONField()
    digest = models.CharField(max_length=64)
    submitted_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)
    # Who sent it and from which device, when the channel knows (the officer's app); blank otherwise.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    device = models.CharField(max_length=100, blank=True)
    # Review (services.conflict_resolve): which answers were kept, by whom and when.
    resolution = models.CharField(
        max_length=10, blank=True, choices=[("kept", "Stored answers kept"), ("replaced", "Replaced with these")]
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The same conflicting answers sent again are one conflict, not two.
            models.UniqueConstraint(fields=["client_id", "digest"], name="responseconflict_once")
        ]

    def __str__(self) -> str:
        return f"conflict on {self.client_id}"


# --- The officer's offline app (issue 22): assignments, devices, and where an officer's response was taken ---


class SurveyAssignment(models.Model):
    """A survey an officer carries on their phone: the app downloads the open surveys assigned to its officer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "officer__username"]
        constraints = [models.UniqueConstraint(fields=["survey", "officer"], name="surveyassignment_once")]

    def __str__(self) -> str:
        return f"{self.survey_id} -> {self.officer_id}"


class OfficerDevice(models.Model):
    """An officer's phone running the offline app. It holds a bearer token whose SHA-256 is `token_hash`; the token
    itself is handed to the app once, in exchange for a short-lived one-time setup code (also kept only hashed).
    A revoked device's token is refused, and so are the answers still waiting on it."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_devices")
    label = models.CharField(max_length=80, help_text="e.g. 'Work phone'. Helps tell your devices apart.")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    setup_code_hash = models.CharField(max_length=64, blank=True)
    setup_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_set_up(self) -> bool:
        return self.token_hash is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ResponseCapture(models.Model):
    """How an officer's response was taken: the device, and the place only when the resident agreed to it
    (rounded to 4 decimals, about 10 m). Kept apart from `Response` so that results never touch it."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="capture")
    device = models.ForeignKey(OfficerDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    latitude = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)

    def __str__(self) -> str:
        return f"capture of {self.response_id}"


# --- distribution: In the Know invitations and background exports (helper "distribution") ---------------------


class SurveyInvitation(models.Model):
    """An In the Know alert that carries a survey: each recipient's message gets their own signed link
    (surveys.invitations), so that each may answer once, without signing in."""

    alert = models.OneToOneField("alerts.Alert", on_delete=models.CASCADE, related_name="survey_invitation")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.survey_id} in alert {self.alert_id}"


class SurveyExport(models.Model):
    """A CSV or XLSX of a survey's results (or of its responses, one row each) built by a task (surveys.exporting):
    queued -> running -> done (or failed), with its progress, kept privately until EXPORTS_RETENTION_DAYS."""

    class Kind(models.TextChoices):
        RESULTS = "results", "Results (counts per question)"
        RESPONSES = "responses", "Responses (one row each)"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    # selectors.Filters as JSON, and the divisions the requester could see then (None: all), so the file holds
    # what the requester was allowed to see when they asked.
    filters = models.JSONField(default=dict)
    divisions = models.JSONField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED, db_index=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=200, blank=True)  # relative to PRIVATE_STORAGE_ROOT
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # While running, the worker renews this; past it, the recovery job starts the export again.
    lease_until = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"export {self.pk} of survey {self.survey_id}"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


# --- Indices (helper "indices"): scores the force defines from chosen questions -------------------------------


class SurveyIndex(models.Model):
    """A score from 0 to 100 the force defines from chosen questions of one or more surveys (e.g. "Confidence in
    local policing"), computed per neighbourhood or division and month or quarter by `indices.index_scores`."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True, help_text="In its insights metric: index-<slug>.")
    description = models.TextField(blank=True)
    # None: a force-wide index, changed only by force-wide staff.
    division = models.ForeignKey(
        "areas.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="survey_indices"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When its cells (SurveyIndexCell) were last brought up to date: every response stored before then is in
    # them. None: never computed, or its questions changed since (the old cells score the old definition).
    figures_at = models.DateTimeField(null=True, blank=True)
    # When the newest computation written to its cells started (indices.cells_refresh: an older one never
    # overwrites it).
    cells_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_label(self) -> str:
        return f"{self.division.name} division" if self.division is not None else "The whole force"


class SurveyIndexComponent(models.Model):
    """One scored question of an index: a scale (mapped linearly to 0-100), a single choice question (a score per
    option) or one statement of a grid (a score per answer 1-5). Options without a score are left out."""

    index = models.ForeignKey(SurveyIndex, on_delete=models.CASCADE, related_name="components")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question_id = models.PositiveIntegerField(help_text="As Answer.question_id: the question's id in the definition.")
    statement_id = models.PositiveIntegerField(null=True, blank=True, help_text="A grid's statement.")
    kind = models.CharField(max_length=10, help_text="The question's kind: scale5, scale10, single or grid.")
    label = models.CharField(max_length=400, blank=True)
    weight = models.FloatField(default=1.0)
    # {"<option id or grid answer 1-5>": score 0-100}; for scales, empty (the scale is mapped linearly).
    scores = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["index", "survey", "question_id", "statement_id"], name="surveyindexcomponent_once"
            ),
            models.CheckConstraint(condition=Q(weight__gt=0), name="surveyindexcomponent_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.survey_id}: {self.question_id}"


class SurveyIndexCell(models.Model):
    """An index's partial sums for one survey's respondents of one day (in the force's time zone), neighbourhood
    and division: how many respondents had a score, and the sum of their scores. Every table of the index (any
    areas, months or quarters, dates) is a sum over these rows, so the page never reads `Answer`
    (indices.cells_refresh writes them; indices.index_table reads them).

    Per survey, so that new answers to one survey recompute only its rows, and deleting a survey deletes its
    part of the sums. Area ids as on `Answer` (copied from the response when it was stored)."""

    index = models.ForeignKey(SurveyIndex, on_delete=models.CASCADE, related_name="cells", db_index=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.CharField(max_length=7, help_text="YYYY-MM, the day's month.")
    day = models.DateField()
    neighbourhood_id = models.PositiveIntegerField(null=True, blank=True)
    division_id = models.PositiveIntegerField(null=True, blank=True)
    respondents = models.PositiveIntegerField()
    score_sum = models.FloatField()

    class Meta:
        indexes = [
            models.Index(fields=["index", "survey", "month"], name="surveyindexcell_month_idx"),
            models.Index(fields=["survey"], name="surveyindexcell_survey_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.index_id} {self.survey_id} {self.day}: {self.respondents}"


class SurveyIndexDirtyMonth(models.Model):
    """A month of a survey whose responses changed (one stored, replaced or deleted) since the indices' cells were
    refreshed: written in the same transaction as the change, one row each time (never updated, so a change never
    waits on another's lock), and deleted by the refresh that took it into account (indices.cells_refresh_due)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7, help_text="YYYY-MM in the force's time zone.")
    marked_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.survey_id} {self.month}"
