"""The composer's form: the alert's words and settings, and the targeting builder.

The targeting is built on the server from plain fields (area checkboxes, a rule select per interest and per
demographic answer, channel checkboxes), so the form works without JavaScript. Drawn shapes need the map:
the composer script keeps the whole targeting JSON in the hidden `targeting` field (the same JSON it sends
for the live count), and the server takes only the shapes from it. Scope is checked twice: the area fields
offer only what is in the user's scope, and `clean()` cuts drawn shapes to the user's division
(`clipping.shapes_clip`, kept in `self.clip` for the notice) and runs `targeting_check_scope` on the whole spec.
The image and PDFs are checked by content here (errors beside their fields) and kept by `alerts.media`.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.forms.utils import ErrorDict

from openbeat.alerts.audience import CHANNELS, TargetingSpec
from openbeat.alerts.clipping import Clip, shapes_clip
from openbeat.alerts.media import ALT_MAX, ATTACHMENT_MAX_BYTES, IMAGE_MAX_BYTES, IMAGE_MAX_WIDTH, MAX_ATTACHMENTS
from openbeat.alerts.models import Alert, Priority
from openbeat.alerts.services import targeting_check_scope
from openbeat.alerts.targeting import TargetingError, spec_from_json
from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.uploads import CleanImage, UploadRejected, check_pdf, clean_image, size_in_words
from openbeat.core.users import RequestUser
from openbeat.staff.scope import scope_for
from openbeat.subscriptions.forms import AGE_BANDS, DISABILITY, ETHNICITIES, PREFER_NOT
from openbeat.subscriptions.models import Interest
from openbeat.surveys.models import Survey
from openbeat.surveys.selectors import surveys_for
from openbeat.surveys.services import survey_can_distribute

RULES = ("include", "must", "exclude")
RULE_CHOICES = [("", "—"), ("include", "Include"), ("must", "Must have"), ("exclude", "Exclude")]
CHANNEL_CHOICES = [("email", "Email"), ("sms", "SMS")]
# The answers the sign-up stores (subscriptions.forms), less "prefer not to say", which is no group to target.
DEMOGRAPHICS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("age_band", "Age band", [c for c in AGE_BANDS if c != PREFER_NOT]),
    ("ethnicity", "Ethnic group", [c for c in ETHNICITIES if c != PREFER_NOT]),
    ("disability", "Disability or long-term health condition", [c for c in DISABILITY if c != PREFER_NOT]),
]
MARKDOWN_HINT = (
    "Markdown you can use: **bold**, *italic*, [link text](https://example.org), lines starting '- ' for a "
    "list or '1. ' for a numbered list, '# ' for a heading. A new line is kept as a line break."
)
_DATETIME = {"type": "datetime-local"}
_DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern): a list of uploads, perhaps empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": "application/pdf,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _rule_field(*, set_name: str, value: str, label: str, dimension: str = "") -> forms.ChoiceField:
    attrs = {"data-rule-set": set_name, "data-rule-value": value}
    if dimension:
        attrs["data-rule-dimension"] = dimension
    return forms.ChoiceField(
        label=label, choices=RULE_CHOICES, required=False, widget=forms.Select(attrs={"class": "ob-rule", **attrs})
    )


class AlertForm(forms.Form):
    title = forms.CharField(max_length=150)
    body = forms.CharField(
        label="Message", widget=forms.Textarea(attrs={"rows": 10}), help_text=MARKDOWN_HINT, max_length=10_000
    )
    interest = forms.ModelChoiceField(
        label="What is it about?",
        queryset=Interest.objects.none(),
        empty_label="Choose a topic",
        help_text="The topic residents chose to hear about. It also appears in the email.",
    )
    priority = forms.TypedChoiceField(
        choices=Priority.choices,
        coerce=int,
        initial=Priority.NORMAL,
        help_text="Residents choose the lowest priority they want by email and by SMS.",
    )
    expires_at = forms.DateTimeField(
        label="Expires",
        required=False,
        widget=forms.DateTimeInput(attrs=_DATETIME, format=_DATETIME_FORMAT),
        help_text="Optional: not sent after this time.",
    )
    send_at = forms.DateTimeField(
        label="Send at",
        required=False,
        widget=forms.DateTimeInput(attrs=_DATETIME, format=_DATETIME_FORMAT),
        help_text="Optional: leave empty to send as soon as it is approved.",
    )
    link_url = forms.URLField(
        label="Link address", required=False, assume_scheme="https", help_text="Optional: a page with more information."
    )
    link_text = forms.CharField(label="Link text", required=False, max_length=80)
    # A survey invitation (surveys.invitations): each recipient gets their own link to answer it once.
    survey = forms.ModelChoiceField(
        label="Invite recipients to a survey",
        queryset=Survey.objects.none(),
        required=False,
        empty_label="No survey",
        help_text="Optional: each resident gets their own link, which lets them answer once without signing in.",
    )
    # The image and PDFs (alerts.media): checked by content here, kept by alert_media_change.
    image = forms.FileField(
        label="Image",
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=(
            f"Optional: one JPG, PNG or WebP photo, up to {IMAGE_MAX_BYTES // (1024 * 1024)}MB. It is shown in the "
            "email and on the alert's public page, not in texts. Location and camera details are removed."
        ),
    )
    image_alt = forms.CharField(
        label="Alt text",
        required=False,
        max_length=ALT_MAX,
        help_text="Describe what the image shows, for people who cannot see it (250 characters or fewer).",
    )
    remove_image = forms.BooleanField(label="Remove the image", required=False)
    attachments = _MultipleFileField(
        label="PDF documents",
        required=False,
        help_text=(
            f"Optional: up to {MAX_ATTACHMENTS} PDFs, each up to {ATTACHMENT_MAX_BYTES // (1024 * 1024)}MB, sent as "
            "links. The file name becomes the link's title."
        ),
    )
    remove_attachments = forms.TypedMultipleChoiceField(
        label="Remove documents", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    # Targeting. The hidden field carries the builder's JSON (only its drawn shapes are read here).
    targeting = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-targeting": ""}))
    whole_force = forms.BooleanField(label="The whole force", required=False)
    divisions = forms.ModelMultipleChoiceField(
        queryset=Division.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    neighbourhoods = forms.ModelMultipleChoiceField(queryset=Neighbourhood.objects.none(), required=False)
    exclude_divisions = forms.ModelMultipleChoiceField(
        label="Divisions to leave out",
        queryset=Division.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    exclude_neighbourhoods = forms.ModelMultipleChoiceField(
        label="Neighbourhoods to leave out", queryset=Neighbourhood.objects.none(), required=False
    )
    channels = forms.MultipleChoiceField(
        choices=CHANNEL_CHOICES,
        initial=list(CHANNELS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each resident is sent it on the channels they chose, among these.",
    )

    def __init__(
        self, *args: Any, user: RequestUser, alert: Alert | None = None, update_of: Alert | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # "Send an update": the sent alert whose recipients this one goes to; then only the channels are chosen.
        self.update_of = update_of
        self.spec: TargetingSpec | None = None
        self.clip: Clip | None = None
        self.alert = alert
        self.saved_attachments = list(alert.attachments.all()) if alert is not None and alert.pk else []
        remove_field = self.fields["remove_attachments"]
        assert isinstance(remove_field, forms.TypedMultipleChoiceField)
        remove_field.choices = [(a.pk, f"{a.title} (PDF, {size_in_words(a.size)})") for a in self.saved_attachments]
        if alert is None or not alert.image_path:
            del self.fields["remove_image"]
        scope = scope_for(user)
        self.fields["interest"].queryset = Interest.objects.filter(  # type: ignore[attr-defined]
            active=True, kind=Interest.Kind.TOPIC
        )
        distributable = [
            s.pk for s in surveys_for(user).filter(state=Survey.State.OPEN) if survey_can_distribute(user, s)
        ]
        current = getattr(getattr(alert, "survey_invitation", None), "survey_id", None) if alert and alert.pk else None
        self.fields["survey"].queryset = Survey.objects.filter(  # type: ignore[attr-defined]
            pk__in=[*distributable, *([current] if current else [])]
        ).order_by("title")
        if not distributable and current is None:
            del self.fields["survey"]
        if not (scope.force_wide and user.has_perm("alerts.send_force_wide_alert")):
            del self.fields["whole_force"]
        divisions = scope.filter(Division.objects.order_by("name"), "pk")
        neighbourhoods = scope.filter(Neighbourhood.objects.select_related("division"), "division").order_by(
            "division__name", "name"
        )
        for name in ("divisions", "exclude_divisions"):
            self.fields[name].queryset = divisions  # type: ignore[attr-defined]
        for name in ("neighbourhoods", "exclude_neighbourhoods"):
            self.fields[name].queryset = neighbourhoods  # type: ignore[attr-defined]
        self._neighbourhoods = list(neighbourhoods)
        self.interests = list(Interest.objects.filter(active=True))
        for interest in self.interests:
            set_name = "topics" if interest.kind == Interest.Kind.TOPIC else "groups"
            self.fields[f"{set_name}__{interest.slug}"] = _rule_field(
                set_name=set_name, value=interest.slug, label=interest.name
            )
        for dimension, _label, choices in DEMOGRAPHICS:
            for value, value_label in choices:
                self.fields[f"demographics__{dimension}__{value}"] = _rule_field(
                    set_name="demographics", value=value, label=value_label, dimension=dimension
                )
        for code, language in self.languages():
            self.fields[f"title__{code}"] = forms.CharField(
                label=f"Title in {language}", required=False, max_length=150
            )
            self.fields[f"body__{code}"] = forms.CharField(
                label=f"Message in {language}", required=False, widget=forms.Textarea(attrs={"rows": 6})
            )

    # ------------------------------------------------------------------------------------ for the template

    @staticmethod
    def languages() -> list[tuple[str, str]]:
        return [(code, name) for code, name in settings.SUBSCRIBER_LANGUAGES if code != "en"]

    def rule_fields(self, set_name: str) -> list[BoundField]:
        return [self[name] for name in self.fields if name.startswith(f"{set_name}__")]

    @property
    def topic_fields(self) -> list[BoundField]:
        return self.rule_fields("topics")

    @property
    def group_fields(self) -> list[BoundField]:
        return self.rule_fields("groups")

    @property
    def demographic_groups(self) -> list[tuple[str, list[BoundField]]]:
        return [
            (label, [self[f"demographics__{dimension}__{value}"] for value, _ in choices])
            for dimension, label, choices in DEMOGRAPHICS
        ]

    @property
    def translation_fields(self) -> list[tuple[str, str, BoundField, BoundField]]:
        return [(code, name, self[f"title__{code}"], self[f"body__{code}"]) for code, name in self.languages()]

    def _chosen(self, name: str) -> set[str]:
        if self.is_bound:
            return set(self.data.getlist(self.add_prefix(name)) if hasattr(self.data, "getlist") else [])
        return {str(getattr(v, "pk", v)) for v in self.initial.get(name) or []}

    def neighbourhood_groups(self, name: str) -> list[tuple[str, list[tuple[int, str, str, bool]]]]:
        """(division name, [(id, code, name, checked)]) for a neighbourhood checkbox list grouped by division."""
        chosen = self._chosen(name)
        groups: dict[str, list[tuple[int, str, str, bool]]] = {}
        for n in self._neighbourhoods:
            groups.setdefault(n.division.name, []).append((n.pk, n.code, n.name, str(n.pk) in chosen))
        return list(groups.items())

    @property
    def include_neighbourhood_groups(self) -> list[tuple[str, list[tuple[int, str, str, bool]]]]:
        return self.neighbourhood_groups("neighbourhoods")

    @property
    def exclude_neighbourhood_groups(self) -> list[tuple[str, list[tuple[int, str, str, bool]]]]:
        return self.neighbourhood_groups("exclude_neighbourhoods")

    @property
    def map_neighbourhoods(self) -> dict[str, int]:
        """In-scope neighbourhoods by code, for the map script to draw only those and link them to the boxes."""
        return {n.code: n.pk for n in self._neighbourhoods}

    # ------------------------------------------------------------------------------------------ cleaning

    def _shapes(self) -> tuple[list[Any], list[Any]]:
        raw = self.cleaned_data.get("targeting") or ""
        if not raw.strip():
            return [], []
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise ValidationError("The drawn areas could not be read: clear them and draw them again") from error

        def shapes(key: str) -> list[Any]:
            part = data.get(key) if isinstance(data, dict) else None
            found = part.get("shapes") if isinstance(part, dict) else None
            return found if isinstance(found, list) else []

        return shapes("areas"), shapes("exclude_areas")

    def build_targeting(self) -> dict[str, Any]:
        """The targeting JSON (alerts.targeting's shape) from the cleaned fields and the drawn shapes."""
        data = self.cleaned_data
        if self.update_of is not None:
            return {
                "update_of": self.update_of.pk,
                # The earlier alert's demographic rules go with it (alerts.targeting), so its counts stay guarded.
                "demographics": (self.update_of.targeting or {}).get("demographics") or {},
                "channels": [c for c in CHANNELS if c in (data.get("channels") or [])],
            }
        shapes, exclude_shapes = self._shapes()
        rules: dict[str, dict[str, list[str]]] = {"topics": {}, "groups": {}}
        demographics: dict[str, dict[str, list[str]]] = {}
        for name, choice in data.items():
            if not choice or "__" not in name:
                continue
            set_name, _, rest = name.partition("__")
            if set_name in rules and choice in RULES:
                rules[set_name].setdefault(choice, []).append(rest)
            elif set_name == "demographics" and choice in RULES:
                dimension, _, value = rest.partition("__")
                demographics.setdefault(dimension, {}).setdefault(choice, []).append(value)
        return {
            "areas": {
                "whole_force": bool(data.get("whole_force")),
                "divisions": sorted(d.pk for d in data.get("divisions") or []),
                "neighbourhoods": sorted(n.pk for n in data.get("neighbourhoods") or []),
                "shapes": shapes,
            },
            "exclude_areas": {
                "divisions": sorted(d.pk for d in data.get("exclude_divisions") or []),
                "neighbourhoods": sorted(n.pk for n in data.get("exclude_neighbourhoods") or []),
                "shapes": exclude_shapes,
            },
            "topics": rules["topics"],
            "groups": rules["groups"],
            "demographics": demographics,
            "channels": [c for c in CHANNELS if c in (data.get("channels") or [])],
        }

    def clean_image(self) -> CleanImage | None:
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        try:
            return clean_image(upload, max_bytes=IMAGE_MAX_BYTES, max_width=IMAGE_MAX_WIDTH)
        except UploadRejected as error:
            raise ValidationError(error.message) from error

    def clean_attachments(self) -> list[Any]:
        uploads = self.cleaned_data.get("attachments") or []
        for upload in uploads:
            try:
                check_pdf(upload, max_bytes=ATTACHMENT_MAX_BYTES)
            except UploadRejected as error:
                raise ValidationError(f"{upload.name}: {error.message}") from error
        removing = set(self.data.getlist("remove_attachments")) if hasattr(self.data, "getlist") else set()
        kept = [a for a in self.saved_attachments if str(a.pk) not in removing]
        if len(kept) + len(uploads) > MAX_ATTACHMENTS:
            raise ValidationError(f"An alert can have up to {MAX_ATTACHMENTS} PDF documents")
        return uploads

    def _check_alt_text(self, cleaned: dict[str, Any]) -> None:
        has_saved = self.alert is not None and bool(self.alert.image_path) and not cleaned.get("remove_image")
        image_chosen = bool(self.files.get("image")) if self.files else False
        if (image_chosen or has_saved) and not (cleaned.get("image_alt") or "").strip() and "image_alt" in cleaned:
            self.add_error("image_alt", "Enter alt text that describes the image")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_alt_text(cleaned)
        if self.errors:
            return cleaned
        try:
            targeting = self.build_targeting()
            spec = spec_from_json(targeting)
            if spec.targets_nobody:
                raise TargetingError("Choose at least one area to send the alert to")
            if not spec.channels:
                raise TargetingError("Choose email, SMS or both")
            spec, self.clip = shapes_clip(user=self.user, spec=spec)
            if "areas" in targeting:  # not in an update's
                targeting["areas"]["shapes"] = [dict(item) for item in spec.areas.shapes]
            targeting_check_scope(user=self.user, spec=spec)
        except TargetingError as error:
            raise ValidationError(error.message) from error
        self.spec = spec
        cleaned["targeting_json"] = targeting
        return cleaned

    def media_fields(self) -> dict[str, Any]:
        """The image and documents as alerts.media.alert_media_change takes them."""
        data = self.cleaned_data
        return {
            "image": data.get("image"),
            "image_alt": data.get("image_alt") or "",
            "remove_image": bool(data.get("remove_image")),
            "attachments": data.get("attachments") or [],
            "remove_attachments": data.get("remove_attachments") or [],
        }

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values as alert_create / alert_update take them."""
        data = self.cleaned_data
        translations = {
            code: (data.get(f"title__{code}") or "", data.get(f"body__{code}") or "") for code, _ in self.languages()
        }
        return {
            "title": data["title"],
            "body": data["body"],
            "interest": data["interest"],
            "priority": data["priority"],
            "targeting": data["targeting_json"],
            "link_url": data.get("link_url") or "",
            "link_text": data.get("link_text") or "",
            "expires_at": data.get("expires_at"),
            "send_at": data.get("send_at"),
            "translations": {code: pair for code, pair in translations.items() if any(pair)},
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError (keyed by field) beside the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)

    @classmethod
    def initial_for(cls, alert: Alert) -> dict[str, Any]:
        """The form's initial values from a saved alert."""
        initial: dict[str, Any] = {
            "title": alert.title,
            "body": alert.body,
            "interest": alert.interest_id,
            "priority": alert.priority,
            "expires_at": alert.expires_at,
            "send_at": alert.send_at,
            "link_url": alert.link_url,
            "link_text": alert.link_text,
            **cls.targeting_initial(alert.targeting or {}),
            "image_alt": alert.image_alt,
        }
        invitation = getattr(alert, "survey_invitation", None) if alert.pk else None
        if invitation is not None:
            initial["survey"] = invitation.survey_id
        for translation in alert.translations.all():
            initial[f"title__{translation.language}"] = translation.title
            initial[f"body__{translation.language}"] = translation.body
        return initial

    @staticmethod
    def targeting_initial(targeting: dict[str, Any]) -> dict[str, Any]:
        """The targeting fields' initial values from a targeting JSON (an alert's or a saved audience's)."""
        areas = targeting.get("areas") or {}
        exclude = targeting.get("exclude_areas") or {}
        initial: dict[str, Any] = {
            "targeting": json.dumps(targeting),
            "whole_force": bool(areas.get("whole_force")),
            "divisions": areas.get("divisions") or [],
            "neighbourhoods": areas.get("neighbourhoods") or [],
            "exclude_divisions": exclude.get("divisions") or [],
            "exclude_neighbourhoods": exclude.get("neighbourhoods") or [],
            "channels": targeting.get("channels") or list(CHANNELS),
        }
        for set_name in ("topics", "groups"):
            for rule, slugs in (targeting.get(set_name) or {}).items():
                initial.update({f"{set_name}__{slug}": rule for slug in slugs})
        for dimension, rule_set in (targeting.get("demographics") or {}).items():
            for rule, values in rule_set.items():
                initial.update({f"demographics__{dimension}__{value}": rule for value in values})
        return initial

    @staticmethod
    def is_targeting_field(name: str) -> bool:
        return name in TARGETING_FIELDS or name.partition("__")[0] in ("topics", "groups", "demographics")

    def quiet(self) -> AlertForm:
        """Shown again as typed, without errors: after using a template or a saved audience, or saving one,
        nothing has been submitted yet."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        return self


# The targeting builder's fields (besides one rule select per interest and demographic answer).
TARGETING_FIELDS = frozenset(
    [
        "targeting",
        "whole_force",
        "divisions",
        "neighbourhoods",
        "exclude_divisions",
        "exclude_neighbourhoods",
        "channels",
    ]
)
