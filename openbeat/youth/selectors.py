"""Reads for the youth site: articles grouped by topic, published questions, a question by its reference, and
the staff queue."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from wagtail.query import PageQuerySet

from openbeat.youth.models import AnonymousQuestion, Topic
from openbeat.youth.references import reference_hash, reference_normalise


def articles_by_topic(pages: PageQuerySet) -> list[dict[str, Any]]:
    """[{"topic": slug, "label": name, "articles": [...]}] for the live, public pages given, topics in their
    fixed order, topics without articles left out."""
    grouped: dict[str, list[Any]] = {}
    for page in pages.live().public().order_by("title"):
        grouped.setdefault(page.topic, []).append(page)
    return [
        {"topic": topic.value, "label": topic.label, "articles": grouped[topic.value]}
        for topic in Topic
        if topic.value in grouped
    ]


def published_questions() -> QuerySet[AnonymousQuestion]:
    return AnonymousQuestion.objects.filter(state=AnonymousQuestion.State.PUBLISHED).order_by("-published_at", "-pk")


def question_by_reference(typed: str) -> AnonymousQuestion | None:
    """The question whose reference was typed, or None (a wrong reference and a missing one look the same)."""
    if not reference_normalise(typed):
        return None
    return AnonymousQuestion.objects.filter(reference_hash=reference_hash(typed)).first()


def staff_queue() -> dict[str, list[AnonymousQuestion]]:
    """Questions to answer (urgent first, then oldest first) and the latest handled ones."""
    waiting = AnonymousQuestion.objects.filter(state=AnonymousQuestion.State.NEW).order_by("-urgent", "created_at")
    handled = AnonymousQuestion.objects.exclude(state=AnonymousQuestion.State.NEW).order_by("-updated_at")[:50]
    return {"waiting": list(waiting), "handled": list(handled)}
