from __future__ import annotations

from typing import Any

from django import forms

from openbeat.areas.models import Division, Neighbourhood
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


class AreaFilterForm(GovukForm):
    """A public list's "Division" and "Neighbourhood" filters (by code), neighbourhoods grouped by division."""

    division = forms.ChoiceField(label="Division", required=False)
    neighbourhood = forms.ChoiceField(label="Neighbourhood", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        division_field = self.fields["division"]
        neighbourhood_field = self.fields["neighbourhood"]
        assert isinstance(division_field, forms.ChoiceField)
        assert isinstance(neighbourhood_field, forms.ChoiceField)
        division_field.choices = [("", "All divisions"), *Division.objects.values_list("code", "name")]
        groups: dict[str, list[tuple[str, str]]] = {}
        for code, name, division in Neighbourhood.objects.order_by("division__name", "name").values_list(
            "code", "name", "division__name"
        ):
            groups.setdefault(division, []).append((code, name))
        neighbourhood_field.choices = [("", "All neighbourhoods"), *groups.items()]
