"""The resident's form: up to three concerns, an optional comment, and the email address the link goes to."""

from __future__ import annotations

from typing import Any

from django import forms

from openbeat.concerns.models import COMMENT_MAX, MAX_CHOICES, Concern
from openbeat.core.forms import GovukForm
from openbeat.core.numbers import whole_number


class _ConcernsField(forms.ModelMultipleChoiceField):
    """Refuses anything but small whole numbers before asking the database (a huge one overflows SQLite's integer)."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if whole_number(pk, max_digits=9) is None:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super()._check_values(value)  # type: ignore[misc]


class ConcernsForm(GovukForm):
    concerns = _ConcernsField(
        label=f"Choose up to {MAX_CHOICES} concerns",
        queryset=Concern.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one concern",
            "invalid_choice": "Choose concerns from the list",
            "invalid_pk_value": "Choose concerns from the list",
            "invalid_list": "Choose concerns from the list",
        },
    )
    comment = forms.CharField(
        label="Anything else you want to tell the team (optional)",
        help_text=(
            f"Up to {COMMENT_MAX} characters. Only the neighbourhood team reads this: it is never published. "
            "Do not include personal details. To report a crime, use the report pages or call 101."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=COMMENT_MAX,
        error_messages={"max_length": f"Your comment must be {COMMENT_MAX} characters or fewer"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will email you a link: your response counts once you open it. We do not keep your address.",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["concerns"].queryset = Concern.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})

    def clean_concerns(self) -> Any:
        chosen = self.cleaned_data["concerns"]
        if len(chosen) > MAX_CHOICES:
            raise forms.ValidationError(f"Choose up to {MAX_CHOICES} concerns")
        return chosen
