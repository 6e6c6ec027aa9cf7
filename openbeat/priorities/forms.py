"""The back office's forms for priorities (Wagtail's field markup; the page adds the linked error summary)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from wagtail.admin.widgets import AdminDateInput

from openbeat.areas.models import Neighbourhood
from openbeat.core.users import RequestUser
from openbeat.priorities.models import Priority, Status
from openbeat.staff.scope import scope_for

ISSUE_MAX = 2000
NOTE_MAX = 2000


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = [
            "neighbourhood",
            "issue",
            "action",
            "date_set",
            "source_kind",
            "source_reference",
            "source_url",
            "published",
        ]
        labels = {
            "issue": "The issue (what residents said)",
            "action": "The action (what the team will do)",
            "date_set": "Date set",
            "source_kind": "Where it came from",
            "source_reference": "Reference (optional)",
            "source_url": "Link to the source (optional)",
            "published": "Publish it on the neighbourhood page",
        }
        help_texts = {
            "source_reference": "For example the PACT meeting's date and place, or the survey's name.",
            "published": "Leave unticked to keep it as a draft that only staff can see.",
        }
        widgets = {
            "date_set": AdminDateInput(),
            "issue": forms.Textarea(attrs={"rows": 4, "maxlength": ISSUE_MAX}),
            "action": forms.Textarea(attrs={"rows": 4, "maxlength": ISSUE_MAX}),
        }
        error_messages = {
            "neighbourhood": {"required": "Choose the neighbourhood", "invalid_choice": "Choose the neighbourhood"},
            "issue": {"required": "Enter the issue residents raised"},
            "date_set": {"required": "Enter the date it was set", "invalid": "Enter a real date"},
            "source_url": {"invalid": "Enter a full web address, starting https://"},
        }

    def __init__(self, *args: Any, user: RequestUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["neighbourhood"]
        neighbourhoods = scope_for(user).filter(Neighbourhood.objects.select_related("division"), "division")
        field.queryset = neighbourhoods.order_by("name")  # type: ignore[attr-defined]
        field.empty_label = "Choose a neighbourhood"  # type: ignore[attr-defined]
        if self.instance.pk:
            field.disabled = True
            field.help_text = "A priority stays with the neighbourhood it was set for."
        for name in ("issue", "action"):
            self.fields[name].max_length = ISSUE_MAX  # type: ignore[attr-defined]
            self.fields[name].validators.append(_max_length(ISSUE_MAX))

    def clean_date_set(self) -> Any:
        value = self.cleaned_data["date_set"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date set must be today or in the past")
        return value


def _max_length(limit: int) -> Any:
    from django.core.validators import MaxLengthValidator

    return MaxLengthValidator(limit, message=f"Enter {limit} characters or fewer")


class PriorityUpdateForm(forms.Form):
    date = forms.DateField(
        label="Date",
        widget=AdminDateInput(),
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )
    status = forms.ChoiceField(
        label="Status from this date",
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status", "invalid_choice": "Choose a status"},
    )
    note = forms.CharField(
        label="What has happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX,
        error_messages={"required": "Enter what has happened", "max_length": f"Enter {NOTE_MAX} characters or fewer"},
    )
    outcome = forms.CharField(
        label='What the team did ("we did")',
        help_text="Needed when the status is done: it is shown to residents beside the issue.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=ISSUE_MAX,
        required=False,
        error_messages={"max_length": f"Enter {ISSUE_MAX} characters or fewer"},
    )

    def __init__(self, *args: Any, priority: Priority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.priority = priority
        self.fields["outcome"].initial = priority.outcome
        self.fields["date"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date")
        if day and day > timezone.localdate():
            self.add_error("date", "The date must be today or in the past")
        elif day and day < self.priority.date_set:
            self.add_error("date", "The date must be on or after the day the priority was set")
        if data.get("status") == Status.DONE and not (data.get("outcome") or "").strip():
            self.add_error("outcome", "Enter what the team did")
        return data
