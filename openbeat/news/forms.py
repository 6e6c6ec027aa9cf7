"""The public filter of the news index, and the back office's forms for an appeal's update and outcome."""

from __future__ import annotations

from typing import Any

from django import forms

from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.forms import GovukForm
from openbeat.news.models import Outcome


class NewsFilterForm(GovukForm):
    KINDS = [("", "News and appeals"), ("news", "News only"), ("appeals", "Appeals only")]

    kind = forms.ChoiceField(label="Show", choices=KINDS, required=False)
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


class AppealUpdateForm(forms.Form):
    note = forms.CharField(
        label="Update",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the appeal with today's date, e.g. 'We have released new CCTV images.'",
    )


class AppealOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label="A short note for the page and the follow-up alert (optional)",
        max_length=300,
        required=False,
        help_text="Never the person's name: it is removed from missing person and suspect appeals.",
    )
