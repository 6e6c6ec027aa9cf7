"""The back office's event form, and the public list's filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.forms import GovukDateField, GovukForm
from openbeat.events.models import Event
from openbeat.events.words import LONDON
from openbeat.staff.scope import Scope

SCOPES = [("neighbourhood", "One neighbourhood"), ("division", "A whole division"), ("force", "The whole force")]
# Service errors name model fields; the form shows them on its own fields.
_FIELD_FOR = {"starts_at": "start_date", "ends_at": "end_date", "lon": "lat", "force_wide": "scope"}


class EventForm(forms.Form):
    title = forms.CharField(max_length=150)
    kind = forms.ChoiceField(choices=Event.Kind.choices, label="Kind of event")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="What happens, who it is for. You can use **bold**, lists and links, as in alerts.",
    )
    start_date = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    end_date = forms.DateField(
        label="End date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="If not the same day",
    )
    end_time = forms.TimeField(label="End time", widget=forms.TimeInput(attrs={"type": "time"}))
    attendance = forms.ChoiceField(choices=Event.Attendance.choices, widget=forms.RadioSelect, label="How to attend")
    address = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    lat = forms.FloatField(
        label="Latitude", required=False, help_text="Click the map to set the place, or type the coordinates"
    )
    lon = forms.FloatField(label="Longitude", required=False)
    online_url = forms.CharField(label="Link to join online", required=False, max_length=500)
    contact_name = forms.CharField(label="Contact name", required=False, max_length=120)
    contact_email = forms.CharField(label="Contact email", required=False, max_length=254)
    contact_phone = forms.CharField(label="Contact phone", required=False, max_length=40)
    scope = forms.ChoiceField(choices=SCOPES, widget=forms.RadioSelect, label="Who is it for")
    neighbourhood = forms.ModelChoiceField(queryset=Neighbourhood.objects.none(), required=False)
    division = forms.ModelChoiceField(queryset=Division.objects.none(), required=False)

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        neighbourhoods = Neighbourhood.objects.select_related("division").order_by("division__name", "name")
        divisions = Division.objects.order_by("name")
        if not scope.force_wide:
            neighbourhoods = neighbourhoods.filter(division__in=scope.division_ids)
            divisions = divisions.filter(pk__in=scope.division_ids)
            self.fields["scope"].choices = SCOPES[:2]  # type: ignore[attr-defined]
        self.fields["neighbourhood"].queryset = neighbourhoods  # type: ignore[attr-defined]
        self.fields["division"].queryset = divisions  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope = data.get("scope")
        if scope == "neighbourhood" and not data.get("neighbourhood"):
            self.add_error("neighbourhood", "Choose the neighbourhood")
        if scope == "division" and not data.get("division"):
            self.add_error("division", "Choose the division")
        return data

    def service_values(self) -> dict[str, Any]:
        """The cleaned fields as event_create / event_update take them."""
        data = self.cleaned_data
        start_date, end_date = data["start_date"], data.get("end_date") or data["start_date"]
        scope = data["scope"]
        return {
            "title": data["title"],
            "kind": data["kind"],
            "description": data["description"],
            "starts_at": dt.datetime.combine(start_date, data["start_time"], tzinfo=LONDON),
            "ends_at": dt.datetime.combine(end_date, data["end_time"], tzinfo=LONDON),
            "attendance": data["attendance"],
            "address": data["address"],
            "lat": data.get("lat"),
            "lon": data.get("lon"),
            "online_url": data["online_url"],
            "contact_name": data["contact_name"],
            "contact_email": data["contact_email"],
            "contact_phone": data["contact_phone"],
            "neighbourhood": data.get("neighbourhood") if scope == "neighbourhood" else None,
            "division": data.get("division") if scope == "division" else None,
            "force_wide": scope == "force",
        }

    def add_service_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            field = _FIELD_FOR.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        start, end = event.starts_at.astimezone(LONDON), event.ends_at.astimezone(LONDON)
        scope = "force" if event.force_wide else "neighbourhood" if event.neighbourhood_id else "division"
        return {
            "title": event.title,
            "kind": event.kind,
            "description": event.description,
            "start_date": start.date(),
            "start_time": start.time().replace(tzinfo=None),
            "end_date": end.date() if end.date() != start.date() else None,
            "end_time": end.time().replace(tzinfo=None),
            "attendance": event.attendance,
            "address": event.address,
            "lat": event.lat,
            "lon": event.lon,
            "online_url": event.online_url,
            "contact_name": event.contact_name,
            "contact_email": event.contact_email,
            "contact_phone": event.contact_phone,
            "scope": scope,
            "neighbourhood": event.neighbourhood_id,
            "division": event.division_id if scope == "division" else None,
        }


class PublishForm(forms.Form):
    notify = forms.BooleanField(required=False, label="Tell In the Know subscribers")


class CancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        label="Why is it cancelled?",
        help_text="Shown to residents on the event's page and in their calendars",
    )


WHEN = [("upcoming", "Upcoming events"), ("past", "Past events")]


class EventFilterForm(GovukForm):
    when = forms.ChoiceField(choices=WHEN, required=False, label="Show")
    neighbourhood = forms.ChoiceField(label="Neighbourhood", required=False)
    division = forms.ChoiceField(label="Division", required=False)
    kind = forms.ChoiceField(label="Kind of event", required=False)
    date_from = GovukDateField(label="From", subject="The start of the dates", required=False)
    date_to = GovukDateField(label="To", subject="The end of the dates", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *Event.Kind.choices]  # type: ignore[attr-defined]
        self.fields["division"].choices = [  # type: ignore[attr-defined]
            ("", "All divisions"),
            *Division.objects.order_by("name").values_list("code", "name"),
        ]
        groups: dict[str, list[tuple[str, str]]] = {}
        for code, name, division in Neighbourhood.objects.order_by("division__name", "name").values_list(
            "code", "name", "division__name"
        ):
            groups.setdefault(division, []).append((code, name))
        self.fields["neighbourhood"].choices = [("", "All neighbourhoods"), *groups.items()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the dates must be the same as or after the start")
        return data
