"""The back office's forms: a division's month of counts, a file to import, and an opportunity."""

from __future__ import annotations

from typing import Any

from django import forms

from openbeat.areas.models import Division
from openbeat.core.users import RequestUser
from openbeat.staff.scope import scope_for
from openbeat.volunteers.models import Opportunity, Role, VolunteerCount

FORCE_WIDE = "force"
FIGURES = ("headcount", "joiners", "leavers")


class MonthCountsForm(forms.Form):
    """Headcount, joiners and leavers for each of the four roles; a role left wholly empty is not saved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for role, label in Role.choices:
            for figure in FIGURES:
                self.fields[f"{role}-{figure}"] = forms.IntegerField(
                    label=f"{label}: {figure}", min_value=0, required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "ob-count"}),
                )  # fmt: skip

    @staticmethod
    def initial_for(counts: dict[str, VolunteerCount | None]) -> dict[str, int]:
        initial = {}
        for role, count in counts.items():
            if count is not None:
                for figure in FIGURES:
                    initial[f"{role}-{figure}"] = getattr(count, figure)
        return initial

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(label), [self[f"{role}-{figure}"] for figure in FIGURES]) for role, label in Role.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for role, label in Role.choices:
            values = [data.get(f"{role}-{figure}") for figure in FIGURES]
            if any(v is not None for v in values) and values[0] is None:
                self.add_error(f"{role}-headcount", f"Enter the headcount of {str(label).lower()} at the month's end")
        return data

    def values(self) -> dict[str, dict[str, int]]:
        out = {}
        for role in Role.values:
            headcount = self.cleaned_data.get(f"{role}-headcount")
            if headcount is not None:
                out[role] = {
                    "headcount": headcount,
                    "joiners": self.cleaned_data.get(f"{role}-joiners") or 0,
                    "leavers": self.cleaned_data.get(f"{role}-leavers") or 0,
                }
        return out


class CountsUploadForm(forms.Form):
    file = forms.FileField(
        label="File of counts",
        help_text="CSV (or an Excel .xlsx workbook) with the columns division, month, role, headcount, joiners, "
        "leavers. Months are written like 2026-03.",
    )


def _owner_choices(user: RequestUser) -> list[tuple[str, str]]:
    scope = scope_for(user)
    divisions = Division.objects.order_by("name")
    if not scope.force_wide:
        divisions = divisions.filter(pk__in=scope.division_ids)
    choices = [(str(d.pk), f"{d.name} division") for d in divisions]
    if scope.force_wide:
        choices.insert(0, (FORCE_WIDE, "The whole force"))
    return choices


class OpportunityForm(forms.Form):
    title = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices)
    summary = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="One or two sentences, shown in the list.")  # fmt: skip
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label="Details",
                           help_text="What the role involves, who can apply and the time it takes.")  # fmt: skip
    owner = forms.ChoiceField(label="Where")
    closes_on = forms.DateField(label="Closing date", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                help_text="Leave empty if it is always open.")  # fmt: skip
    live = forms.BooleanField(label="Show on the public site", required=False)

    def __init__(self, *args: Any, user: RequestUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _owner_choices(user)  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(opportunity: Opportunity) -> dict[str, Any]:
        return {
            "title": opportunity.title,
            "role": opportunity.role,
            "summary": opportunity.summary,
            "body": opportunity.body,
            "owner": str(opportunity.division_id) if opportunity.division_id else FORCE_WIDE,
            "closes_on": opportunity.closes_on,
            "live": opportunity.live,
        }

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        owner = data["owner"]
        return {
            "title": data["title"],
            "role": data["role"],
            "summary": data["summary"],
            "body": data["body"],
            "division": None if owner == FORCE_WIDE else Division.objects.get(pk=owner),
            "closes_on": data.get("closes_on"),
            "live": bool(data.get("live")),
        }
