"""The young person's forms (GOV.UK patterns: an error summary, typed values kept) and the staff's."""

from __future__ import annotations

from django import forms

from openbeat.core.forms import GovukForm
from openbeat.youth.models import ANSWER_MAX, QUESTION_MAX


class AskForm(GovukForm):
    text = forms.CharField(
        label="Your question",
        help_text=(
            f"Up to {QUESTION_MAX} characters. Do not put your name, address, school, phone number or anyone "
            "else's name: we do not need them to answer."
        ),
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true"}),
        error_messages={
            "required": "Enter your question",
            "max_length": f"Your question must be {QUESTION_MAX} characters or fewer",
        },
    )


class ReferenceForm(GovukForm):
    reference = forms.CharField(
        label="Your reference",
        help_text="The 12 letters and numbers you were given when you sent your question, like K7QM-3XPD-9HTW.",
        max_length=40,
        error_messages={"required": "Enter your reference", "max_length": "Enter your reference, like K7QM-3XPD-9HTW"},
    )
    reference.govuk_width = 20  # type: ignore[attr-defined]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["reference"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


# ------------------------------------------------------------------------------------------------ staff


class AnswerForm(forms.Form):
    VISIBILITY = [
        ("private", "Privately: only the young person, with their reference, can read it"),
        ("public", "Publicly: the question as edited below and the answer go on the youth site"),
    ]
    visibility = forms.ChoiceField(label="Who can read the answer", choices=VISIBILITY, widget=forms.RadioSelect)
    public_text = forms.CharField(
        label="The question as published",
        help_text="Take out anything that could identify the young person or anyone else: names, places, schools.",
        required=False,
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    answer = forms.CharField(
        label="Answer", max_length=ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 8}), required=False
    )


class SafeguardingSettingsForm(forms.Form):
    emails = forms.CharField(
        label="Safeguarding team's email addresses",
        help_text="One a line. Each gets an email at once when a question suggests a child at risk.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    words = forms.CharField(
        label="Words that suggest a child at risk",
        help_text="One word or phrase a line. Leave empty to use the built-in list.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
    )
