from __future__ import annotations

from django import forms

from openbeat.areas.postcodes import (
    MalformedPostcode,
    PostcodeError,
    PostcodeLocation,
    postcode_hint,
    postcode_locate,
)
from openbeat.core.forms import GovukForm


class FindNeighbourhoodForm(GovukForm):
    postcode = forms.CharField(
        label="Postcode",
        help_text=postcode_hint(),
        max_length=16,
        error_messages={"required": "Enter a postcode", "max_length": MalformedPostcode.message},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    postcode.govuk_width = 10  # type: ignore[attr-defined]

    location: PostcodeLocation | None = None

    def clean_postcode(self) -> str:
        try:
            self.location = postcode_locate(self.cleaned_data["postcode"])
        except PostcodeError as error:
            raise forms.ValidationError(error.message) from error
        return self.location.postcode
