"""Forms of the preferences journey: ask for a magic link, and agree to messages again after stopping them."""

from __future__ import annotations

from django import forms

from openbeat.core.forms import GovukForm


class ManageLinkForm(GovukForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address you subscribed with. We will email you a link to your preferences.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})


class ResubscribeForm(GovukForm):
    agree = forms.MultipleChoiceField(
        label="Do you agree to get In the Know messages again?",
        choices=[("yes", "I agree")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select that you agree to get messages again"},
    )

    def __init__(self, *args: object, wording: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The exact words recorded with the consent are the words shown here.
        self.fields["agree"].help_text = wording
