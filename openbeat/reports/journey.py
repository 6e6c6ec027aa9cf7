"""A report being written: its draft, and which page of the journey comes next.

The draft is a `ReportDraft` row found by a random key held in a signed, HttpOnly, SameSite=Lax cookie that
lasts 30 days and is sent only to that report type's pages, so a session that times out (or a browser that
is closed) loses nothing typed. One draft per report type and browser.

The draft's `data`:
    answers       {question key: answer} for the type's questions
    pages_done    question page numbers the person has continued from
    location      {"postcode", "address", "lat", "lon"} once the location page is done
    officer       an Officer id or None, once the officer page is done
    evidence      the staged files (R3's `evidence_stage` dicts); `evidence_done` once continued from
    about         {"name", "email", "phone"}
    typed         {step name: {field: [values]}}: what was last typed on a page, even if wrong
    bot           set when the honeypot was filled in: the report is then never sent

Which page comes next is worked out from what the draft holds (the first page not done), so a change made
from "Check your answers" comes back there, and an answer that reveals a new question brings up its page: the
order of pages and what was typed on them are core.journeys' engine, shared with the In the Know sign-up.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from openbeat.core import journeys
from openbeat.reports import questions
from openbeat.reports.models import ReportDraft, ReportType

DRAFT_DAYS = 30
_SALT = "openbeat.reports.draft"


def _cookie_name(report_type: ReportType) -> str:
    return f"ob_report_{report_type.slug}"


def _cookie_path(report_type: ReportType) -> str:
    # Scoped to the type's pages: the cookie is never sent anywhere else on the site.
    return reverse("reports:start", kwargs={"slug": report_type.slug})


def draft_get(request: HttpRequest, report_type: ReportType) -> ReportDraft | None:
    """The browser's draft of this type, if its cookie is genuine and the draft is under 30 days old."""
    key = request.get_signed_cookie(
        _cookie_name(report_type), default=None, salt=_SALT, max_age=timedelta(days=DRAFT_DAYS)
    )
    if not key:
        return None
    since = timezone.now() - timedelta(days=DRAFT_DAYS)
    return ReportDraft.objects.filter(key=key, report_type=report_type, updated_at__gte=since).first()


def draft_create(report_type: ReportType) -> ReportDraft:
    return ReportDraft.objects.create(key=secrets.token_urlsafe(32), report_type=report_type, data={})


def draft_cookie_set(response: HttpResponse, draft: ReportDraft) -> None:
    response.set_signed_cookie(
        _cookie_name(draft.report_type),
        draft.key,
        salt=_SALT,
        max_age=DRAFT_DAYS * 24 * 3600,
        path=_cookie_path(draft.report_type),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def draft_cookie_delete(response: HttpResponse, report_type: ReportType) -> None:
    response.delete_cookie(_cookie_name(report_type), path=_cookie_path(report_type), samesite="Lax")


@dataclass(frozen=True)
class Step:
    """One page of the journey. `name` is "page-<n>" for question pages, else the page's own name."""

    name: str
    title: str
    url: str
    page: questions.Page | None = None


class Journey(journeys.Journey[Step]):
    """The steps of one report type's journey and how far a draft has got through them."""

    def __init__(self, report_type: ReportType, draft: ReportDraft | None) -> None:
        super().__init__(dict(draft.data) if draft is not None else {})
        self.report_type = report_type
        self.draft = draft
        self._steps: list[Step] | None = None
        self._errors: dict[str, str] | None = None

    @property
    def answers(self) -> dict[str, Any]:
        return self.data.setdefault("answers", {})

    def _url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"reports:{name}", kwargs={"slug": self.report_type.slug, **kwargs})

    @property
    def steps(self) -> list[Step]:
        if self._steps is None:
            rt = self.report_type
            steps = [
                Step(f"page-{p.number}", p.title, self._url("question_page", number=p.number), p)
                for p in questions.pages(rt, self.answers)
            ]
            if rt.location != ReportType.Location.NONE:
                steps.append(Step("location", "Where did it happen?", self._url("location")))
            if rt.asks_named_officer:
                steps.append(Step("officer", "Which officer is it about?", self._url("officer")))
            if rt.allows_evidence:
                steps.append(Step("evidence", "Upload photos, videos or documents (optional)", self._url("evidence")))
            steps.append(Step("about_you", "Your contact details", self._url("about_you")))
            self._steps = steps
        return self._steps

    def forget(self) -> None:
        """Work the steps out again (after answers changed)."""
        self._steps = None
        self._errors = None

    def answer_errors(self) -> dict[str, str]:
        if self._errors is None:
            self._errors = questions.validate_answers(self.report_type, self.answers)
        return self._errors

    def done(self, step: Step) -> bool:
        if step.page is not None:
            if step.page.number not in self.data.get("pages_done", []):
                return False
            errors = self.answer_errors()
            return not any(q.key in errors for q in step.page.questions)
        if step.name == "location":
            return "location" in self.data
        if step.name == "officer":
            return "officer" in self.data
        if step.name == "evidence":
            return bool(self.data.get("evidence_done"))
        return "about" in self.data

    def next_url(self) -> str:
        unfinished = self.first_unfinished()
        return unfinished.url if unfinished is not None else self._url("check")

    def back_url(self, step: Step | None) -> str:
        """The page before `step` (None: "Check your answers"), the start page before the first."""
        previous = self.previous(step)
        return previous.url if previous is not None else self._url("start")

    def save(self) -> ReportDraft:
        if self.draft is None:
            self.draft = draft_create(self.report_type)
        self.draft.data = self.data
        self.draft.save(update_fields=["data", "updated_at"])
        self.forget()
        return self.draft

    def page_for_question(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.page and any(q.key == key for q in s.page.questions)), None)
