"""Multi-step public journeys (reporting online, signing up to In the Know): a draft, and which page is next.

A journey is a list of steps (pages) over a draft: a dict kept between requests, wherever the journey keeps it
(reports in a database row found by a cookie, the sign-up in the session). Which page comes next is worked out
from what the draft holds (the first step that applies and is not done), never from where the person has been,
so a change made from "Check your answers" comes back there, and an answer that brings up a new page has it
asked. A page asked for before the pages it depends on are done sends the person to the first one not done.

What was typed on a page is kept in the draft's "typed" ({step name: {field: [values]}}), even when it was
wrong, and shown again when the person comes back to the page.

Each journey subclasses `Journey`, saying what its steps are (`steps`) and when one is done (`done`), and
optionally when one applies at all (`applies`); how it stores its draft and names its URLs is its own.

What a journey sent, for its confirmation page, travels in a signed cookie (`sent_cookie_set`) rather than the
session: a submission then writes no session row, leaves no typed address in one for the session's two weeks,
and leaves the person with no session cookie, so the public pages they go on to read come from the page cache
(core.pagecache). Nothing in it is secret to the person who has just typed it; it lasts an hour and is sent
only to the journey's own pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict

SENT_MAX_AGE = 3600  # an hour is plenty to read or refresh a confirmation page


class NamedStep(Protocol):
    @property
    def name(self) -> str: ...


class Journey[StepT: NamedStep]:
    """The order of a journey's steps over its draft, `data`."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = data if data is not None else {}

    @property
    def steps(self) -> list[StepT]:
        raise NotImplementedError

    def done(self, step: StepT) -> bool:
        raise NotImplementedError

    def applies(self, step: StepT) -> bool:
        """Whether the journey asks `step` at all, given the draft (a page skipped is never "not done")."""
        return True

    def step(self, name: str) -> StepT | None:
        return next((s for s in self.steps if s.name == name), None)

    def first_unfinished(self, before: StepT | None = None) -> StepT | None:
        """The first step that applies and is not done (only among those before `before`, when given)."""
        for s in self.steps:
            if before is not None and s.name == before.name:
                return None
            if self.applies(s) and not self.done(s):
                return s
        return None

    def previous(self, step: StepT | None) -> StepT | None:
        """The last step that applies before `step` (None: after the last step, "Check your answers");
        None before the first."""
        names = [s.name for s in self.steps]
        end = names.index(step.name) if step is not None and step.name in names else len(names)
        earlier = [s for s in self.steps[:end] if self.applies(s)]
        return earlier[-1] if earlier else None

    # What was typed on a page, kept even when it was wrong

    def typed(self, step: StepT) -> dict[str, list[str]]:
        return self.data.get("typed", {}).get(step.name) or {}

    def keep_typed(self, step: StepT, values: dict[str, list[str]]) -> None:
        self.data.setdefault("typed", {})[step.name] = values

    def clear_typed(self, step: StepT) -> None:
        self.data.get("typed", {}).pop(step.name, None)


def _several(field: forms.Field) -> bool:
    # Fields answered with a list: ticked boxes, or a field of several boxes (a date's day, month and year).
    return isinstance(field, forms.MultipleChoiceField) or isinstance(
        field.widget, forms.CheckboxSelectMultiple | forms.MultiWidget
    )


def typed_values(
    post: QueryDict, fields: dict[str, forms.Field], *, not_typed: Iterable[str] = ()
) -> dict[str, list[str]]:
    """What was posted for a page's own fields (nothing else posted ends up in the draft), to keep as typed.

    NUL characters are dropped: forms refuse them, and PostgreSQL cannot keep them in JSON. A field of several
    boxes keeps one value per box, in order.
    """
    skip = set(not_typed)
    typed: dict[str, list[str]] = {}
    for name, field in fields.items():
        if name in skip:
            continue
        if isinstance(field.widget, forms.MultiWidget):
            names = [name + suffix for suffix in field.widget.widgets_names]  # type: ignore[attr-defined]
            if any(n in post for n in names):
                typed[name] = [post.get(n, "").replace("\x00", "") for n in names]
        elif name in post:
            typed[name] = [value.replace("\x00", "") for value in post.getlist(name)]
    return typed


def initial_from_typed(form_class: type[forms.Form], typed: dict[str, list[str]]) -> dict[str, Any]:
    """A form's initial values from what was typed on its page last time, so going back and forth loses nothing."""
    fields = form_class.base_fields
    return {
        name: values if _several(fields[name]) else values[0]
        for name, values in typed.items()
        if name in fields and values
    }


def sent_cookie_set(response: HttpResponse, *, name: str, value: dict[str, Any], path: str) -> None:
    """Keep what a journey sent for its confirmation page: signed, HttpOnly, an hour, sent only under `path`."""
    response.set_signed_cookie(
        name, json.dumps(value), salt=name, max_age=SENT_MAX_AGE, httponly=True, samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE, path=path,
    )  # fmt: skip


def sent_cookie_get(request: HttpRequest, *, name: str) -> dict[str, Any]:
    """What `sent_cookie_set` kept, or {} when there is none (or it was changed, or is over an hour old)."""
    try:
        value = json.loads(request.get_signed_cookie(name, default="{}", salt=name, max_age=SENT_MAX_AGE) or "{}")
    except (KeyError, ValueError, signing.BadSignature):
        return {}
    return value if isinstance(value, dict) else {}
