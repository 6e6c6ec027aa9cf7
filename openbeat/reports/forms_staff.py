"""The triage queue's filters and the forms on a report's back-office page. The choices offered are always
the user's scope (types they may see, their divisions' neighbourhoods, colleagues who may handle the report),
so a value from outside it is simply an invalid choice."""

from __future__ import annotations

from typing import Any

from django import forms

from openbeat.areas.models import Neighbourhood
from openbeat.core.users import RequestUser, StaffUser, user_name
from openbeat.reports import selectors
from openbeat.reports.models import Report, ReportType


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("open", "Open (not closed)"), *Report.Status.choices, ("all", "Any status")], required=False
    )
    report_type: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=ReportType.objects.none(), required=False, to_field_name="slug", label="Type", empty_label="Any type"
    )
    division = forms.ChoiceField(required=False)
    neighbourhood: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Neighbourhood.objects.none(), required=False, empty_label="Any neighbourhood"
    )
    age = forms.ChoiceField(
        choices=[("", "Any age"), *((key, label) for key, (label, _, _) in selectors.AGES.items())], required=False
    )
    assigned = forms.ChoiceField(
        choices=[("", "Anyone or nobody"), ("me", "Assigned to me"), ("unassigned", "Not assigned")],
        required=False,
        label="Assigned to",
    )
    sla = forms.ChoiceField(choices=[("", "Any"), *selectors.SLA_STATES.items()], required=False, label="Time (SLA)")

    def __init__(self, *args: Any, user: RequestUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["report_type"].queryset = selectors.report_types_for(user)
        fields["neighbourhood"].queryset = selectors.neighbourhoods_for(user).select_related("division")
        fields["neighbourhood"].label_from_instance = lambda n: f"{n.name} ({n.division.name})"
        divisions: list[tuple[str, str]] = [("", "Any division")]
        divisions += [(str(d.pk), d.name) for d in selectors.divisions_for(user)]
        if user.is_superuser or user.has_perm("staff.force_wide"):
            divisions.append((selectors.NO_DIVISION, "Force-wide queue (no division)"))
        fields["division"].choices = divisions

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one (say, a division outside the scope in the address) is dropped."""
        self.is_valid()
        return {key: value for key, value in getattr(self, "cleaned_data", {}).items() if value}


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(required=False, label="Assign to a person")
    team = forms.CharField(max_length=120, required=False, label="Or to a team", help_text="e.g. 'Roads policing'.")

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in selectors.report_assignees(report)}
        choices = [("", "Nobody")] + [(pk, user_name(user)) for pk, user in self.people.items()]
        self.fields["assignee"].choices = choices  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial = {"assignee": str(report.assigned_to_id or ""), "team": report.assigned_team}

    def chosen_assignee(self) -> StaffUser | None:
        return self.people.get(self.cleaned_data.get("assignee") or "")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Report.Status.choices)
    outcome = forms.ChoiceField(
        choices=Report.Outcome.choices, required=False, help_text="Needed when you close the report."
    )
    outcome_detail = forms.CharField(
        max_length=200, required=False, label="Outcome detail", help_text="The CRN, or which agency."
    )
    public_note = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Note for the public",
        help_text="Shown to the reporter and through Open311. No personal data.",
    )

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial = {
                "status": report.status,
                "outcome": report.outcome,
                "outcome_detail": report.outcome_detail,
                "public_note": report.public_note,
            }


class NoteForm(forms.Form):
    body = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), label="Internal note", help_text="Staff only."
    )


class EraseReporterForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why the reporter's contact details are being erased",
        help_text="For example the reference of their erasure request. Their name, email and phone go for good.",
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Message to the reporter",
        help_text="They are emailed that there is a message and read it on their status page.",
    )
