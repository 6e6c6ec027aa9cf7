"""The back office's forms for urgent warnings: the CAP details (publish and update) and the cancellation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from openbeat.cap.models import Category, Certainty, Severity, Status, Urgency, UrgentWarning

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class WarningForm(forms.Form):
    status = forms.ChoiceField(
        label="Real or test",
        choices=Status.choices,
        widget=forms.RadioSelect,
        help_text="A test goes through the live feed; aggregators check it but show it to nobody.",
    )
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    event = forms.CharField(
        label="Event", max_length=100, help_text="What kind of event, in a few words, e.g. 'Police incident'."
    )
    urgency = forms.ChoiceField(label="Urgency", choices=Urgency.choices, widget=forms.RadioSelect)
    severity = forms.ChoiceField(label="Severity", choices=Severity.choices, widget=forms.RadioSelect)
    certainty = forms.ChoiceField(label="Certainty", choices=Certainty.choices, widget=forms.RadioSelect)
    headline = forms.CharField(label="Headline", max_length=160, help_text="Starts as the alert's title.")
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 6}), help_text="Starts as the alert's text."
    )
    instruction = forms.CharField(
        label="What people should do", widget=forms.Textarea(attrs={"rows": 3}), help_text="In English."
    )
    expires_at = forms.DateTimeField(
        label="Expires (UK time)",
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text="Aggregators stop showing the warning then.",
    )

    def __init__(self, *args: Any, languages: list[str] | tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict(settings.SUBSCRIBER_LANGUAGES)
        # The alert's other languages each get the instruction in that language (the headline and description
        # come from the alert's translation).
        self.languages = [code for code in languages if code != "en"]
        for code in self.languages:
            self.fields[f"instruction_{code}"] = forms.CharField(
                label=f"What people should do, in {names.get(code, code)}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Leave empty to use the English instruction.",
            )

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in self.base_fields}
        values["instructions"] = {code: data.get(f"instruction_{code}", "") for code in self.languages}
        return values

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    @staticmethod
    def initial_for(warning: UrgentWarning) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(warning, name) for name in WarningForm.base_fields}
        initial["expires_at"] = timezone.localtime(warning.expires_at)
        for code, text in (warning.instructions or {}).items():
            initial[f"instruction_{code}"] = text
        return initial


class CancelForm(forms.Form):
    note = forms.CharField(
        label="Why is it cancelled (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Published with the cancellation, e.g. 'The man has been found safe'.",
    )
