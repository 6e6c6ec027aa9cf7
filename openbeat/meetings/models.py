"""PACT meetings online: one `Meeting` per PACT event (events.Event), with its agenda, stream, residents'
questions (moderated, voted on), live answers, minutes, attendance and the actions agreed.

People: a resident is a `Participant` of one meeting, known only by a keyed hash of their email address
(`email_hash`, different for each meeting) and the name they chose to show (their own, or a pseudonym). The
address itself is used to send the magic link and is not kept, except on a question flagged as a possible crime
report or disclosure of harm (`contact_email`), which the moderator needs to reach the resident, and which is
erased once the moderator has acted on it.

A question's life: `unverified` (its link not yet opened) -> `awaiting` (moderation) -> `approved` (public;
answered when `answered_at` is set) | `rejected` (with a reason the author sees) | `hidden` | `merged` (into
another, its votes moved there). A question whose words are on the abusive list starts `held` (hidden for review:
a moderator may still approve it); one whose words are on the harm list starts `flagged` and is never published:
the moderator turns it into a Do It Online report or emails the resident the right route.

Unmoderated questions, votes and participants are private (core.pagecache.PRIVATE_MODELS): the moderation services
announce public changes themselves.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from openbeat.events.models import Event

QUESTION_MAX = 1000
NAME_MAX = 60


class Meeting(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="meeting")
    questions_open = models.BooleanField(default=True, help_text="Residents can send questions and vote.")
    stream_url = models.URLField(max_length=500, blank=True, help_text="The live stream or video call to watch.")
    stream_title = models.CharField(max_length=150, blank=True, help_text="Describes the stream, for screen readers.")
    captions_url = models.URLField(max_length=500, blank=True, help_text="Live captions, or the transcript after.")
    registered_only = models.BooleanField(
        default=False, help_text="Give the stream link only to residents who registered with a verified email."
    )
    current_question = models.ForeignKey("Question", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    minutes = models.TextField(blank=True)
    attended_in_person = models.PositiveIntegerField(null=True, blank=True)
    attended_online = models.PositiveIntegerField(null=True, blank=True)
    held = models.BooleanField(default=False, help_text="The meeting took place (its figures count).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-event__starts_at"]
        permissions = [("moderate_meeting", "Can moderate PACT meetings' questions and record their outcomes")]

    def __str__(self) -> str:
        return str(self.event)

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", kwargs={"public_id": self.event.public_id})

    @property
    def public_id(self) -> uuid.UUID:
        return self.event.public_id


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """A resident of one meeting, by a keyed hash of their address: asks, votes, registers to watch."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    email_hash = models.CharField(max_length=64)
    verified_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True, help_text="Registered to attend (watch) online.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "email_hash"], name="meetings_one_participant")]

    def __str__(self) -> str:
        return f"Participant {self.public_id}"


class Question(models.Model):
    class State(models.TextChoices):
        UNVERIFIED = "unverified", "Email not confirmed"
        AWAITING = "awaiting", "Awaiting approval"
        HELD = "held", "Held: words to review"
        FLAGGED = "flagged", "Flagged: possible report of crime or harm"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        HIDDEN = "hidden", "Hidden"
        MERGED = "merged", "Merged into another"
        CONVERTED = "converted", "Made into a report"
        ROUTED = "routed", "Resident sent how to report"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="questions")
    display_name = models.CharField(max_length=NAME_MAX)
    text = models.TextField(max_length=QUESTION_MAX)
    state = models.CharField(max_length=12, choices=State.choices, default=State.UNVERIFIED)
    matched_words = models.CharField(max_length=200, blank=True)
    reject_reason = models.CharField(max_length=500, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged")
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Only for a flagged question, until the moderator acts on it (see the module's docstring).
    contact_email = models.EmailField(blank=True)
    report_reference = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["meeting", "state"], name="meetings_q_state_idx")]

    def __str__(self) -> str:
        short = " ".join(self.text.split())
        return short[:80] + ("…" if len(short) > 80 else "")

    @property
    def is_public(self) -> bool:
        return self.state == self.State.APPROVED


class Vote(models.Model):
    """One verified person's support for a question: one per person per question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "participant"], name="meetings_one_vote")]

    def __str__(self) -> str:
        return f"Vote on {self.question_id}"


class Action(models.Model):
    """An action agreed at the meeting: a new neighbourhood priority, or an update to an existing one."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    priority = models.ForeignKey("priorities.Priority", on_delete=models.PROTECT, related_name="+")
    created_new = models.BooleanField(default=True)
    summary = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.summary[:80]


class WordList(models.Model):
    """Force-wide lists staff edit: abusive words (held for review) and words suggesting a crime report or a
    disclosure of harm (flagged, never published). One word or phrase a line."""

    class Kind(models.TextChoices):
        ABUSIVE = "abusive", "Abusive words: hide the question for review"
        HARM = "harm", "Crime or harm: flag the question, never publish it"

    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)
    words = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def entries(self) -> list[str]:
        return [w.strip().lower() for w in self.words.splitlines() if w.strip()]
