"""Forms of the public Do It Online pages: the report journey and the reporter's status page.

A question page's form is built from the force's `Question` rows; whether an answer is acceptable is decided
by `questions.validate_answers` (one rule for the web, Open311 and the final submit), and its messages are
shown beside the fields.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django import forms
from django.utils.functional import lazy

from openbeat.areas.postcodes import MalformedPostcode, PostcodeError, postcode_hint, postcode_locate
from openbeat.core.forms import GovukDateField, GovukForm
from openbeat.reports import questions
from openbeat.reports.models import Question, ReportType
from openbeat.reports.references import reference_example, reference_normalise
from openbeat.staff.models import Officer

EMAIL_ERRORS = {
    "required": "Enter your email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
}


def _choices(question: Question) -> list[tuple[str, str]]:
    return [(c["value"], c["label"]) for c in questions.choices_of(question)]


def _field(question: Question) -> forms.Field:
    label = question.label if question.required else f"{question.label} (optional)"
    common: dict[str, Any] = {"label": label, "help_text": question.hint, "required": False}
    kind = question.kind
    if kind in (Question.Kind.CHOICE, Question.Kind.YES_NO):
        return forms.ChoiceField(choices=_choices(question), widget=forms.RadioSelect, **common)
    if kind == Question.Kind.MULTICHOICE:
        return forms.MultipleChoiceField(choices=_choices(question), widget=forms.CheckboxSelectMultiple, **common)
    if kind == Question.Kind.TEXTAREA:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), **common)
    if kind == Question.Kind.DATE:
        # Every date a report asks about is in the past ("When did it happen?"), as validate_answers requires.
        return GovukDateField(
            subject=f'"{questions.question_name(question)}"', past=True, earliest=questions.EARLIEST_DATE, **common
        )
    if kind == Question.Kind.TIME:
        return forms.CharField(widget=forms.TimeInput(attrs={"type": "time"}), **common)
    if kind == Question.Kind.NUMBER:
        field = forms.CharField(widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}), **common)
        field.govuk_width = 10  # type: ignore[attr-defined]
        return field
    return forms.CharField(**common)


class QuestionsForm(GovukForm):
    """One page of a report type's questions. Every field is optional here: `validate_answers` decides.

    Made with `questions_form(page_questions)`, so the fields exist before GovukForm styles them."""

    page_questions: list[Question] = []

    def __init__(self, *args: Any, report_type: ReportType, answers: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report_type = report_type
        self.answers = answers

    def page_answers(self) -> dict[str, Any]:
        """This page's answers, cleaned: text stripped, empty answers left out."""
        result: dict[str, Any] = {}
        for question in self.page_questions:
            value = self.cleaned_data.get(question.key)
            if isinstance(value, str):
                value = value.strip()
            elif isinstance(value, dt.date):
                value = value.isoformat()  # answers keep dates as ISO strings
            if value not in (None, "", []):
                result[question.key] = value
        return result

    def merged(self) -> dict[str, Any]:
        keys = {q.key for q in self.page_questions}
        kept = {k: v for k, v in self.answers.items() if k not in keys}
        return {**kept, **self.page_answers()}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        keys = {q.key for q in self.page_questions}
        errors = questions.validate_answers(self.report_type, self.merged(), only=keys)
        for question in self.page_questions:
            if question.key in errors and question.key not in self.errors:
                self.add_error(question.key, errors[question.key])
        return cleaned


def questions_form(page_questions: list[Question]) -> type[QuestionsForm]:
    attrs: dict[str, Any] = {q.key: _field(q) for q in page_questions}
    attrs["page_questions"] = list(page_questions)
    return type("PageQuestionsForm", (QuestionsForm,), attrs)


class LocationForm(GovukForm):
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=16,
        help_text=postcode_hint(),
        error_messages={"max_length": MalformedPostcode.message},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    postcode.govuk_width = 10  # type: ignore[attr-defined]
    address = forms.CharField(
        label="Address or description of the place",
        required=False,
        max_length=300,
        help_text="For example, the street and the nearest house number, or 'the bus stop outside the library'",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The description must be 300 characters or fewer"},
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location_required = required

    def clean_postcode(self) -> str:
        text = self.cleaned_data.get("postcode", "").strip()
        if not text:
            return ""
        try:
            return postcode_locate(text).postcode
        except PostcodeError as error:
            raise forms.ValidationError(f"{error.message}. Or describe the place instead") from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        pin_ok = (
            lat is not None
            and lon is not None
            and math.isfinite(lat)
            and math.isfinite(lon)
            and -90 <= lat <= 90
            and -180 <= lon <= 180
        )
        if not pin_ok:
            cleaned["lat"] = cleaned["lon"] = None
        given = cleaned.get("postcode") or cleaned.get("address") or pin_ok
        if self.location_required and not given and "postcode" not in self.errors:
            self.add_error("postcode", "Enter a postcode, describe the place, or put a pin on the map")
        return cleaned

    def location(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "postcode": data["postcode"],
            "address": data["address"].strip(),
            "lat": data["lat"],
            "lon": data["lon"],
        }


class OfficerForm(GovukForm):
    officer = forms.TypedChoiceField(
        label="Which officer is it about?",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="If you do not know their name, choose 'I do not know' and the neighbourhood team will see it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officers = Officer.objects.filter(public=True).order_by("name").values_list("pk", "rank", "name")
        self.fields["officer"].choices = [("", "I do not know / the neighbourhood team")] + [  # type: ignore[attr-defined]
            (str(pk), f"{rank} {name}".strip()) for pk, rank, name in officers
        ]


class EvidenceForm(GovukForm):
    """A file to add. `optional=True` on the report journey's evidence page, where Continue needs no file (so
    the box is neither marked nor announced as required) and only "Upload this file" asks for one."""

    file = forms.FileField(
        label="Upload a file",
        help_text="Photos, videos, PDFs or Word documents",
        error_messages={"required": "Choose a file to upload", "empty": "The file you chose is empty"},
    )

    def __init__(self, *args: Any, optional: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.optional = optional
        if optional:
            self.fields["file"].required = False
            self.fields["file"].label = "Upload a file (optional)"

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload and self.optional and self.data.get("action") == "upload":
            raise forms.ValidationError(self.fields["file"].error_messages["required"], code="required")
        return upload


_PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{7,20}$")


class AboutYouForm(GovukForm):
    name = forms.CharField(
        label="Full name",
        max_length=160,
        error_messages={"required": "Enter your full name", "max_length": "Your name must be 160 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send your reference number here, and a link to follow your report",
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        required=False,
        max_length=20,
        help_text="In case we need to call you",
        error_messages={"max_length": "Enter a phone number, like 01632 960 001 or 07700 900 982"},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    phone.govuk_width = 20  # type: ignore[attr-defined]
    # A honeypot: hidden from people (and assistive technology), filled in by scripts that fill in every field.
    website = forms.CharField(required=False, label="Leave this empty", max_length=200)

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not _PHONE_RE.match(phone):
            raise forms.ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")
        return phone

    @property
    def is_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


# The example reference is this force's (its prefix, this year): worked out when the page is shown.
def _reference_hint() -> str:
    return f"It is in the email we sent you, for example {reference_example()}"


def _reference_format_error() -> str:
    return f"Enter your reference number in the correct format, like {reference_example()}"


class StatusRequestForm(GovukForm):
    reference = forms.CharField(
        label="Reference number",
        max_length=30,
        help_text=lazy(_reference_hint, str)(),
        error_messages={"required": "Enter your reference number", "max_length": lazy(_reference_format_error, str)()},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    reference.govuk_width = 20  # type: ignore[attr-defined]
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address you gave when you made the report",
        error_messages=EMAIL_ERRORS,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def clean_reference(self) -> str:
        # Checked before any look-up: a mistyped reference is told what a reference looks like.
        reference = reference_normalise(self.cleaned_data["reference"])
        if reference is None:
            raise forms.ValidationError(_reference_format_error(), code="format")
        return reference


class ReplyForm(GovukForm):
    body = forms.CharField(
        label="Your message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter your message",
            "max_length": "Your message must be 5000 characters or fewer",
        },
    )
