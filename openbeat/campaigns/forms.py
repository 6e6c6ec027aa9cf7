"""The back office's campaign form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from wagtail.models import Page

from openbeat.alerts.models import Alert
from openbeat.alerts.selectors import alerts_for
from openbeat.areas.models import Division
from openbeat.campaigns.models import Campaign
from openbeat.core.users import RequestUser
from openbeat.events.models import Event
from openbeat.events.selectors import events_for
from openbeat.staff.scope import scope_for

FORCE_WIDE = "force"


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=150)
    slug = forms.SlugField(
        max_length=60,
        label="Short name",
        help_text="Lower-case letters, numbers and hyphens, e.g. cse-week-2026. Campaign links use it: "
        "/report/<type>/?campaign=<short name>.",
    )
    hashtag = forms.CharField(max_length=100, required=False, help_text="Without the #, e.g. NotInMyCity.")
    starts_on = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="End date", widget=forms.DateInput(attrs={"type": "date"}))
    aims = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, help_text="What it sets out to do."
    )
    owner = forms.ChoiceField(label="Whose campaign")
    pages = forms.ModelMultipleChoiceField(
        queryset=Page.objects.none(), required=False, help_text="Pages of the public site (news, appeals, advice)."
    )
    alerts: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=Alert.objects.none(), required=False, label="In the Know alerts"
    )
    events: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=Event.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: RequestUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        divisions = Division.objects.order_by("name")
        if not scope.force_wide:
            divisions = divisions.filter(pk__in=scope.division_ids)
        choices = [(str(d.pk), f"{d.name} division") for d in divisions]
        if scope.force_wide:
            choices.insert(0, (FORCE_WIDE, "The whole force"))
        self.fields["owner"].choices = choices  # type: ignore[attr-defined]
        self.fields["pages"].queryset = Page.objects.filter(depth__gt=1).order_by("path")  # type: ignore[attr-defined]
        self.fields["alerts"].queryset = alerts_for(user).order_by("-created_at")  # type: ignore[attr-defined]
        self.fields["events"].queryset = events_for(user).order_by("-starts_at")  # type: ignore[attr-defined]
        self.fields["pages"].widget.attrs["size"] = 8
        self.fields["alerts"].widget.attrs["size"] = 8
        self.fields["events"].widget.attrs["size"] = 8

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        return {
            "name": campaign.name,
            "slug": campaign.slug,
            "hashtag": campaign.hashtag,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "aims": campaign.aims,
            "owner": str(campaign.division_id) if campaign.division_id else FORCE_WIDE,
            "pages": list(campaign.pages.all()),
            "alerts": list(campaign.alerts.all()),
            "events": list(campaign.events.all()),
        }

    def service_values(self) -> dict[str, Any]:
        """The cleaned fields as campaign_create / campaign_update take them."""
        data = self.cleaned_data
        owner = data["owner"]
        return {
            "name": data["name"],
            "slug": data["slug"],
            "hashtag": data["hashtag"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "aims": data["aims"],
            "division": None if owner == FORCE_WIDE else Division.objects.get(pk=owner),
            "pages": list(data["pages"]),
            "alerts": list(data["alerts"]),
            "events": list(data["events"]),
        }

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
