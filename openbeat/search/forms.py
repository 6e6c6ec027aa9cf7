"""The search box and its "type of result" filter (a GET form: what was typed stays in the address)."""

from __future__ import annotations

from django import forms

from openbeat.core.forms import GovukForm
from openbeat.search.selectors import KIND_LABELS, Kind

MAX_QUERY = 200

TYPE_CHOICES = [
    ("", "All results"),
    (Kind.NEWS, "News"),
    (Kind.APPEAL, "Appeals"),
    (Kind.ADVICE, "Advice"),
    (Kind.NEIGHBOURHOOD, "Neighbourhoods"),
    (Kind.PAGE, "Information pages"),
]
assert {value for value, _ in TYPE_CHOICES if value} == set(KIND_LABELS)


class SearchForm(GovukForm):
    q = forms.CharField(
        label="Search this website",
        required=False,
        max_length=MAX_QUERY,
        error_messages={
            "max_length": f"Search terms must be {MAX_QUERY} characters or fewer",
            "null_characters_not_allowed": "Search terms must only include letters, numbers and punctuation",
        },
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(
        label="Type of result",
        choices=TYPE_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Select a type of result from the list"},
    )
