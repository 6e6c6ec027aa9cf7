"""The contact centre's forms (back office, Wagtail's markup): finding a subscriber, and each change made on a
resident's behalf, which always ends with the resident's say-so (`ConsentForm`'s two required fields).

Values are normalised as sign-up and import normalise them (`signup.normalise_email`, `importers.phone_normalise`), so a
subscriber is found by what the resident reads out, however it is typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from openbeat.areas.postcodes import PostcodeError, postcode_locate
from openbeat.subscriptions import signup
from openbeat.subscriptions.assisted import CONSENT_STATEMENT
from openbeat.subscriptions.forms import PRIORITY_CHOICES, phone_display
from openbeat.subscriptions.importers import RowError
from openbeat.subscriptions.importers import phone_normalise as imported_phone
from openbeat.subscriptions.models import Interest, Subscriber, WatchedArea
from openbeat.subscriptions.services import MAX_EXTRA_AREAS, AreaChoice


def phone_normalise(text: str) -> str:
    """A UK mobile number in E.164, as sign-up and import store it (import also keeps Ofcom's drama numbers,
    07700 900000 to 900999, so a subscriber imported with one is found too); else a ValidationError."""
    try:
        return imported_phone(text)
    except RowError:
        raise forms.ValidationError("Enter a UK mobile number, like 07700 900 982 or +44 7700 900 982") from None


class SummaryForm(forms.Form):
    """Links for the page's error summary, each to its field (to the first box of a group of choices)."""

    def error_list(self) -> list[tuple[str, str]]:
        items = [("", str(message)) for message in self.non_field_errors()]
        for name, field in self.fields.items():
            suffix = "_0" if isinstance(field.widget, forms.RadioSelect) else ""  # checkboxes are RadioSelects too
            items.extend((f"#id_{name}{suffix}", str(message)) for message in self.errors.get(name, []))
        return items


class LookupForm(SummaryForm):
    query = forms.CharField(
        label="Email address or UK mobile number",
        max_length=254,
        help_text="The whole address or number, exactly as the resident gives it. Parts of one find nothing.",
        error_messages={"required": "Enter the resident's email address or mobile number"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        text = (cleaned.get("query") or "").strip()
        if not text:
            return cleaned
        if "@" in text:
            try:
                forms.EmailField().clean(text)
            except forms.ValidationError:
                self.add_error("query", "Enter a whole email address, like name@example.com")
                return cleaned
            cleaned["by"], cleaned["value"] = "email", signup.normalise_email(text)
        else:
            try:
                cleaned["by"], cleaned["value"] = "phone", phone_normalise(text)
            except forms.ValidationError:
                self.add_error("query", "Enter a whole email address, or a UK mobile number like 07700 900 982")
        return cleaned


class ConsentForm(SummaryForm):
    """The resident's say-so: what every change form ends with (fields added last, whatever the subclass)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resident_asked"] = forms.BooleanField(
            label=CONSENT_STATEMENT,
            help_text="Only make a change the resident has asked for on this call.",
            error_messages={"required": "Confirm that the resident asked for this change on the phone"},
        )
        self.fields["note"] = forms.CharField(
            label="Who called, and when",
            max_length=300,
            help_text="For example: Ann Smith called at 14:20 on 3 March. Do not write their address or number.",
            error_messages={
                "required": "Enter who called and when",
                "max_length": "The note must be 300 characters or fewer",
            },
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def consent(self) -> dict[str, Any]:
        return {"consent": self.cleaned_data["resident_asked"], "note": self.cleaned_data["note"]}


def _interest_choices(kind: str) -> list[tuple[str, str]]:
    return [(i.slug, i.name) for i in Interest.objects.filter(active=True, kind=kind)]


class InterestsForm(ConsentForm):
    title = "Change interests"
    topics = forms.MultipleChoiceField(
        label="Topics",
        help_text="Select all the resident wants to hear about.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one topic"},
    )
    groups = forms.MultipleChoiceField(label="Interest groups", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, subscriber: Subscriber, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kind in (("topics", Interest.Kind.TOPIC), ("groups", Interest.Kind.GROUP)):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = _interest_choices(kind)
            self.initial.setdefault(name, [s for s, _ in field.choices if _has(subscriber, s)])

    def change(self) -> dict[str, Any]:
        return {"slugs": [*self.cleaned_data["topics"], *self.cleaned_data["groups"]]}


def _has(subscriber: Subscriber, slug: str) -> bool:
    interest = Interest.objects.filter(slug=slug).first()
    return interest is not None and bool(subscriber.interest_bits & interest.mask)


def _area_label(area: WatchedArea) -> str:
    where = f"{area.neighbourhood.name}{f', {area.postcode}' if area.postcode else ''}"
    return f"{area.label}: {where}" if area.label else where


def _choice(area: WatchedArea) -> AreaChoice:
    return AreaChoice(area.neighbourhood_id, postcode=area.postcode, lat=area.lat, lon=area.lon, label=area.label)


def _located(text: str) -> AreaChoice:
    try:
        place = postcode_locate(text)
    except PostcodeError as error:
        raise forms.ValidationError(error.message) from error
    return AreaChoice(place.neighbourhood.pk, postcode=place.postcode, lat=place.lat, lon=place.lon)


class AreasForm(ConsentForm):
    title = "Change areas"
    home_postcode = forms.CharField(
        label="New home postcode",
        required=False,
        max_length=16,
        help_text="Leave blank to keep the home area as it is.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    remove = forms.MultipleChoiceField(
        label="Stop alerts for these extra areas", required=False, widget=forms.CheckboxSelectMultiple
    )
    add_postcode = forms.CharField(
        label="Add an area by postcode",
        required=False,
        max_length=16,
        help_text=f"For example where they work. At most {MAX_EXTRA_AREAS} extra areas.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, subscriber: Subscriber, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = list(subscriber.areas.select_related("neighbourhood").order_by("pk"))
        self.home = next((a for a in areas if a.is_home), None)
        self.extra = {str(a.pk): a for a in areas if not a.is_home}
        remove = self.fields["remove"]
        assert isinstance(remove, forms.MultipleChoiceField)
        remove.choices = [(pk, _area_label(a)) for pk, a in self.extra.items()]
        if not self.extra:
            del self.fields["remove"]
        if self.home is None:
            self.fields["home_postcode"].required = True
            self.fields["home_postcode"].help_text = "The resident has no home area yet."
            self.fields["home_postcode"].error_messages["required"] = "Enter the resident's home postcode"

    def clean_home_postcode(self) -> AreaChoice | None:
        text = self.cleaned_data["home_postcode"].strip()
        return _located(text) if text else None

    def clean_add_postcode(self) -> AreaChoice | None:
        text = self.cleaned_data["add_postcode"].strip()
        return _located(text) if text else None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        removed = set(cleaned.get("remove") or [])
        extra = [_choice(a) for pk, a in self.extra.items() if pk not in removed]
        if cleaned.get("add_postcode"):
            extra.append(cleaned["add_postcode"])
        if len({(a.neighbourhood_id, a.postcode) for a in extra}) > MAX_EXTRA_AREAS:
            self.add_error("add_postcode", f"The resident already has {MAX_EXTRA_AREAS} extra areas: remove one first")
        cleaned["extra"] = extra
        return cleaned

    def change(self) -> dict[str, Any]:
        home = self.cleaned_data.get("home_postcode") or (_choice(self.home) if self.home else None)
        assert home is not None
        return {"home": home, "extra": self.cleaned_data["extra"]}


def _radios(label: str, choices: list[tuple[Any, str]], coerce: Any = str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=coerce,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select {label[0].lower()}{label[1:].rstrip('?')}"},
    )


class ChannelsForm(ConsentForm):
    title = "Change how they are contacted"
    email_when = _radios("When can we email them?", signup.WHEN_CHOICES)
    email_min_priority = _radios("Which emails do they want?", PRIORITY_CHOICES, coerce=int)
    sms = _radios("Do they want text messages?", [("yes", "Yes"), ("no", "No")])
    phone = forms.CharField(
        label="UK mobile number",
        required=False,
        max_length=30,
        help_text="A new number gets no texts until the resident verifies it with a code from their preferences.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    sms_when = _radios("When can we text them?", signup.WHEN_CHOICES)
    sms_min_priority = _radios("Which text messages do they want?", PRIORITY_CHOICES, coerce=int)

    def __init__(self, *args: Any, subscriber: Subscriber, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subscriber = subscriber
        self.initial = {
            "email_when": signup.when_from_flags(subscriber.email_day, subscriber.email_night),
            "email_min_priority": subscriber.email_min_priority,
            "sms": "yes" if subscriber.phone else "no",
            "phone": phone_display(subscriber.phone) if subscriber.phone else "",
            "sms_when": signup.when_from_flags(subscriber.sms_day, subscriber.sms_night)
            if subscriber.phone
            else "both",
            "sms_min_priority": subscriber.sms_min_priority,
            **self.initial,
        }
        if self.data.get(self.add_prefix("sms")) != "yes":
            for name in ("phone", "sms_when", "sms_min_priority"):
                self.fields[name].required = False

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        if self.data.get(self.add_prefix("sms")) != "yes":
            return ""
        if not text:
            raise forms.ValidationError("Enter a UK mobile number, or select no text messages")
        return phone_normalise(text)

    def change(self) -> dict[str, Any]:
        data = self.cleaned_data
        phone = data["phone"] if data["sms"] == "yes" else ""
        return {
            "channels": signup.Channels(
                email_when=data["email_when"],
                email_min_priority=data["email_min_priority"],
                phone=phone,
                # The number the resident verified stays verified; any other waits for their code.
                phone_verified=bool(phone)
                and phone == self.subscriber.phone
                and self.subscriber.phone_verified_at is not None,
                sms_when=data["sms_when"] or "both",
                sms_min_priority=data["sms_min_priority"] or Subscriber.Priority.URGENT,
            )
        }


class LanguageForm(ConsentForm):
    title = "Change language"
    language = _radios("Which language do they want messages in?", [])

    def __init__(self, *args: Any, subscriber: Subscriber, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(settings.SUBSCRIBER_LANGUAGES)
        self.initial.setdefault("language", subscriber.language)

    def change(self) -> dict[str, Any]:
        return {"language": self.cleaned_data["language"]}


class ActionForm(ConsentForm):
    """A change with nothing to choose (stop texts, stop everything, send a link, start an erasure)."""

    def __init__(self, *args: Any, subscriber: Subscriber, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def change(self) -> dict[str, Any]:
        return {}
