"""Residents' forms (GOV.UK patterns: an error summary, typed values kept) and the moderators' (Wagtail admin)."""

from __future__ import annotations

from typing import Any

from django import forms

from openbeat.core.forms import GovukForm
from openbeat.meetings.models import NAME_MAX, QUESTION_MAX, Question, WordList

_EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": "Enter an email address in the correct format, like name@example.com",
}


def _email_field(help_text: str) -> forms.EmailField:
    field = forms.EmailField(label="Email address", help_text=help_text, max_length=254, error_messages=_EMAIL_ERRORS)
    field.widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
    return field


class QuestionForm(GovukForm):
    display_name = forms.CharField(
        label="Name to show with your question",
        help_text="Your own name or a made-up one.",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter the name to show with your question: your own or a made-up one",
            "max_length": f"The name must be {NAME_MAX} characters or fewer",
        },
    )
    text = forms.CharField(
        label="Your question",
        help_text=(
            f"Up to {QUESTION_MAX} characters. The team reads every question before it is published. "
            "Do not use this to report a crime: report it online or call 101, or 999 in an emergency."
        ),
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter your question",
            "max_length": f"Your question must be {QUESTION_MAX} characters or fewer",
        },
    )
    email = _email_field(
        "We email you a link: your question is sent once you open it. We keep only a code made from it."
    )

    def __init__(self, *args: Any, verified: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if verified:
            del self.fields["email"]


class EmailForm(GovukForm):
    email = _email_field("We email you a link to confirm it is you. We keep only a code made from your address.")


# ------------------------------------------------------------------------------------------------ staff


class MeetingForm(forms.Form):
    agenda = forms.CharField(
        label="Agenda", help_text="One item a line, in order.", required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    questions_open = forms.BooleanField(label="Residents can send questions and vote", required=False)
    stream_url = forms.URLField(
        label="Stream or video call link (optional)", required=False, max_length=500, assume_scheme="https"
    )
    stream_title = forms.CharField(label="Title of the stream", required=False, max_length=150)
    captions_url = forms.URLField(
        label="Captions or transcript link (optional)", required=False, max_length=500, assume_scheme="https"
    )
    registered_only = forms.BooleanField(
        label="Only residents who registered with a verified email get the stream link", required=False
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why it is not published (the resident sees this)",
        max_length=500,
        error_messages={"required": "Enter why the question is not being published: the resident sees it"},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label="Answer (optional: leave empty to mark it answered at the meeting)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(
        label="Merge into", coerce=int, error_messages={"required": "Choose the question it duplicates"}
    )

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        others = question.meeting.questions.filter(
            state__in=[Question.State.AWAITING, Question.State.HELD, Question.State.APPROVED, Question.State.HIDDEN]
        ).exclude(pk=question.pk)
        self.fields["into"].choices = [("", "Choose a question")] + [(q.pk, f"#{q.pk}: {q}") for q in others]  # type: ignore[attr-defined]


class ToReportForm(forms.Form):
    report_type = forms.TypedChoiceField(
        label="Report type", coerce=int, error_messages={"required": "Choose a report type"}
    )

    def __init__(self, *args: Any, report_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["report_type"].choices = [("", "Choose a report type")] + [(t.pk, t.name) for t in report_types]  # type: ignore[attr-defined]


class RecordForm(forms.Form):
    minutes = forms.CharField(
        label="Minutes", required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 10})
    )
    attended_in_person = forms.IntegerField(
        label="People who attended in person", required=False, min_value=0, max_value=1_000_000
    )
    attended_online = forms.IntegerField(
        label="People who watched online (at the peak)", required=False, min_value=0, max_value=1_000_000
    )
    held = forms.BooleanField(label="The meeting took place", required=False, initial=True)


class ActionForm(forms.Form):
    summary = forms.CharField(
        label="Action agreed",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the action agreed"},
    )
    priority = forms.TypedChoiceField(
        label="Priority",
        help_text="A new priority for the neighbourhood, or an update to one it has.",
        coerce=int,
        required=False,
        empty_value=None,
    )
    neighbourhood = forms.TypedChoiceField(
        label="Neighbourhood (for a new priority)", coerce=int, required=False, empty_value=None
    )
    action = forms.CharField(label="What the team will do (for a new priority)", required=False, max_length=2000)
    publish = forms.BooleanField(label="Publish the new priority", required=False, initial=True)

    def __init__(self, *args: Any, priorities: Any, neighbourhoods: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, str]] = [("", "A new priority")]
        choices += [(p.pk, f"{p.neighbourhood.name}: {p}") for p in priorities]
        self.fields["priority"].choices = choices  # type: ignore[attr-defined]
        places: list[tuple[Any, str]] = [("", "The meeting's neighbourhood")]
        places += [(n.pk, n.name) for n in neighbourhoods]
        self.fields["neighbourhood"].choices = places  # type: ignore[attr-defined]


class WordListForm(forms.Form):
    abusive = forms.CharField(
        label=WordList.Kind.ABUSIVE.label,
        help_text="One word or phrase a line.",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    harm = forms.CharField(
        label=WordList.Kind.HARM.label,
        help_text="One word or phrase a line.",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
