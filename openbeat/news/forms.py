"""The public filter of the news index, and the back office's forms for an appeal's update and outcome."""

from __future__ import annotations

from django import forms

from openbeat.areas.forms import AreaFilterForm
from openbeat.news.models import Outcome


class NewsFilterForm(AreaFilterForm):
    KINDS = [("", "News and appeals"), ("news", "News only"), ("appeals", "Appeals only")]

    kind = forms.ChoiceField(label="Show", choices=KINDS, required=False)
    field_order = ["kind", "division", "neighbourhood"]


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
