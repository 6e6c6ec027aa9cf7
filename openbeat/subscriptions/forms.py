"""One form per step of the In the Know sign-up; the preferences' change pages use the same forms.

Each form reads its initial values from the journey's draft (`initial_from`) and writes what it cleaned back
into it (`save_to`), so the step views need no per-step code to move data about.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.forms.boundfield import BoundWidget
from django.utils.functional import lazy
from django.utils.html import format_html

from openbeat.areas.models import Neighbourhood
from openbeat.areas.postcodes import (
    MalformedPostcode,
    OutsideForceArea,
    PostcodeError,
    postcode_example,
    postcode_hint,
    postcode_locate,
)
from openbeat.core.forms import GovukForm
from openbeat.subscriptions import signup
from openbeat.subscriptions.models import Interest, Subscriber
from openbeat.subscriptions.services import MAX_EXTRA_AREAS

Draft = dict[str, Any]


class StepForm(GovukForm):
    """A journey step's form. By default each field maps to the draft key of the same name."""

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        return {name: draft[name] for name in cls.base_fields if name in draft}

    def save_to(self, draft: Draft) -> None:
        draft.update(self.cleaned_data)


def _postcode_field(*, error_messages: dict[str, str] | None = None, **kwargs: Any) -> forms.CharField:
    field = forms.CharField(
        max_length=16,
        error_messages={"max_length": MalformedPostcode.message, **(error_messages or {})},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
        **kwargs,
    )
    field.govuk_width = 10  # type: ignore[attr-defined]
    return field


def _located(text: str) -> dict[str, Any]:
    """The draft's record of a postcode's place, or a ValidationError in the resident's words."""
    try:
        location = postcode_locate(text)
    except PostcodeError as error:
        raise forms.ValidationError(error.message, code=type(error).__name__) from error
    return {
        "neighbourhood_id": location.neighbourhood.pk,
        "postcode": location.postcode,
        "lat": location.lat,
        "lon": location.lon,
        "label": "",
    }


# 2. Postcode


class PostcodeForm(StepForm):
    postcode = _postcode_field(
        label="What is your postcode?",
        help_text=lazy(lambda: f"We use it to find your neighbourhood. For example, {postcode_example()}", str)(),
        error_messages={"required": "Enter your postcode"},
    )

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        return {"postcode": (draft.get("home") or {}).get("postcode", "")}

    @property
    def outside_area(self) -> bool:
        return any(e.code == OutsideForceArea.__name__ for e in self.errors.as_data().get("postcode", []))

    def clean_postcode(self) -> dict[str, Any]:
        return _located(self.cleaned_data["postcode"])

    def save_to(self, draft: Draft) -> None:
        home = self.cleaned_data["postcode"]
        draft["home"] = home
        # The home area is not also an extra one.
        draft["extra"] = [a for a in draft.get("extra", []) if a.get("postcode") != home["postcode"]]


# 3. Is this your neighbourhood?


class NeighbourhoodForm(StepForm):
    """Nothing to type: continuing confirms the neighbourhood found for the postcode."""

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        return {}

    def save_to(self, draft: Draft) -> None:
        draft["home_confirmed"] = signup.home_key(draft.get("home"))


# 4. Other areas to watch


class AreasForm(StepForm):
    """Add an area by postcode and tick whole neighbourhoods; `extra` is the new list once valid.

    `action` is the button pressed: "add" needs a postcode; "continue" adds one only if typed; "remove"
    (with `remove` naming the area) validates nothing typed, so it is kept for the next try.
    """

    postcode = _postcode_field(
        label="Postcode",
        required=False,
        help_text=postcode_hint(),
    )
    label = forms.CharField(
        label="Name this area (optional)",
        required=False,
        max_length=60,
        help_text="For example, Work or Mum's house. Only you see this.",
    )
    label.govuk_width = 20  # type: ignore[attr-defined]
    neighbourhoods = forms.MultipleChoiceField(
        label="Neighbourhoods",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, draft: Draft, action: str = "continue", remove: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.action = action
        self.remove = remove
        home_id = (draft.get("home") or {}).get("neighbourhood_id")
        # The home neighbourhood is watched already: not offered again.
        self.choices = [
            n
            for n in Neighbourhood.objects.select_related("division").order_by("division__name", "name")
            if n.pk != home_id
        ]
        field = self.fields["neighbourhoods"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(n.code, n.name) for n in self.choices]
        self.extra: list[dict[str, Any]] = list(draft.get("extra", []))

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        ids = {a["neighbourhood_id"] for a in draft.get("extra", []) if not a.get("postcode")}
        codes = Neighbourhood.objects.filter(pk__in=ids).values_list("code", flat=True)
        return {"neighbourhoods": list(codes)}

    @property
    def max_areas(self) -> int:
        return MAX_EXTRA_AREAS

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        by_code = {n.code: n for n in self.choices}
        postcoded = [a for a in self.draft.get("extra", []) if a.get("postcode")]
        ticked = [
            {"neighbourhood_id": by_code[c].pk, "postcode": "", "lat": None, "lon": None, "label": ""}
            for c in data.get("neighbourhoods", [])
            if c in by_code
        ]
        extra = [*postcoded, *ticked]
        if self.action == "remove":
            self.extra = [a for a in extra if area_key(a) != self.remove]
            return data
        typed = (data.get("postcode") or "").strip()
        if self.action == "add" and not typed and "postcode" not in self.errors:
            self.add_error("postcode", "Enter a postcode to add")
        elif typed:
            extra = self._with_postcode(typed, data.get("label", ""), extra)
        if len(extra) > MAX_EXTRA_AREAS:
            self.add_error(
                "neighbourhoods" if ticked else "postcode",
                f"You can watch up to {MAX_EXTRA_AREAS} other areas. Remove or untick some to add another",
            )
        self.extra = extra
        return data

    def _with_postcode(self, typed: str, label: str, extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
        try:
            area = _located(typed)
        except forms.ValidationError as error:
            self.add_error("postcode", error)
            return extra
        if area["postcode"] == (self.draft.get("home") or {}).get("postcode"):
            self.add_error("postcode", "That is your home postcode. Enter a different postcode")
        elif any(a.get("postcode") == area["postcode"] for a in extra):
            self.add_error("postcode", "You have already added that postcode")
        else:
            area["label"] = label.strip()
            return [*extra, area]
        return extra

    def save_to(self, draft: Draft) -> None:
        draft["extra"] = self.extra
        if self.action == "continue":
            draft["areas_done"] = True

    def neighbourhood_groups(self) -> list[tuple[str, list[BoundWidget], bool]]:
        """The neighbourhood checkboxes by division, and whether any in the division is ticked (shown open)."""
        options = {w.data["value"]: w for w in self["neighbourhoods"].subwidgets}
        groups: dict[str, list[BoundWidget]] = {}
        for n in self.choices:
            groups.setdefault(n.division.name, []).append(options[n.code])
        return [(name, widgets, any(w.data["selected"] for w in widgets)) for name, widgets in groups.items()]

    def _first_option_suffix(self, name: str) -> str:
        # The error summary links to the first ticked neighbourhood: its division's group is the one open.
        if name == "neighbourhoods":
            ticked = set(self["neighbourhoods"].value() or [])
            index = next((i for i, n in enumerate(self.choices) if n.code in ticked), 0)
            return f"_{index}"
        return super()._first_option_suffix(name)


def area_key(area: dict[str, Any]) -> str:
    return f"{area['neighbourhood_id']}/{area.get('postcode', '')}"


# 5. Interests


class InterestsForm(StepForm):
    topics = forms.MultipleChoiceField(
        label="What would you like to hear about?",
        help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one topic"},
    )
    groups = forms.MultipleChoiceField(
        label="Are you any of these?",
        help_text="Select any that apply. Some messages are only for these groups. Leave blank if none apply.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        interests = Interest.objects.filter(active=True)
        for name, kind in (("topics", Interest.Kind.TOPIC), ("groups", Interest.Kind.GROUP)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(i.slug, i.name) for i in interests if i.kind == kind]


# 6. How to contact you

PRIORITY_CHOICES = [
    (Subscriber.Priority.INFORMATION.value, "Everything, including general information"),
    (Subscriber.Priority.NORMAL.value, "Normal, urgent and emergency messages"),
    (Subscriber.Priority.URGENT.value, "Urgent and emergency messages only"),
    (Subscriber.Priority.EMERGENCY.value, "Emergency messages only"),
]
WHEN_HINT = "Daytime is 7am to 10pm."


def _radios(label: str, choices: list[tuple[Any, str]], help_text: str = "", coerce: Any = str) -> forms.Field:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=coerce,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"required": f"Select {label[0].lower()}{label[1:].rstrip('?')}"},
    )


class ContactForm(StepForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send you an email to confirm your sign-up.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    email_when = _radios("When can we email you?", signup.WHEN_CHOICES, WHEN_HINT)
    email_min_priority = _radios("Which emails do you want?", PRIORITY_CHOICES, coerce=int)
    sms = _radios(
        "Do you also want text messages?",
        [("yes", "Yes"), ("no", "No")],
        "Text messages are for urgent warnings that cannot wait for an email.",
    )
    phone = forms.CharField(
        label="UK mobile number",
        required=False,
        max_length=30,
        help_text="For example, 07700 900 982. We will text you a code to check it.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    phone.govuk_width = 20  # type: ignore[attr-defined]
    sms_when = _radios("When can we text you?", signup.WHEN_CHOICES, WHEN_HINT)
    sms_min_priority = _radios("Which text messages do you want?", PRIORITY_CHOICES, coerce=int)

    SMS_FIELDS = ("phone", "sms_when", "sms_min_priority")

    def __init__(self, *args: Any, with_email: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_email:
            # Changing the address would need the new one confirmed: not done on this page.
            del self.fields["email"]
        if self.data.get(self.add_prefix("sms")) != "yes":
            for name in self.SMS_FIELDS:
                self.fields[name].required = False

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        initial = {
            "email_when": "both",
            "email_min_priority": Subscriber.Priority.INFORMATION.value,
            "sms_when": "both",
            "sms_min_priority": Subscriber.Priority.URGENT.value,
            **super().initial_from(draft),
        }
        if "sms" in draft:
            initial["sms"] = "yes" if draft["sms"] else "no"
        if draft.get("phone"):
            initial["phone"] = phone_display(draft["phone"])
        return initial

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        if self.data.get(self.add_prefix("sms")) != "yes":
            return ""
        if not text:
            raise forms.ValidationError("Enter a UK mobile number, or select no text messages")
        return phone_normalise(text)

    def save_to(self, draft: Draft) -> None:
        data = dict(self.cleaned_data)
        data["sms"] = data["sms"] == "yes"
        if not data["sms"]:
            data.update(phone="", sms_when="both", sms_min_priority=Subscriber.Priority.URGENT.value)
        draft.update(data)


def phone_normalise(text: str) -> str:
    """A UK mobile number in E.164, or a ValidationError saying what to type."""
    error = forms.ValidationError("Enter a UK mobile number, like 07700 900 982 or +44 7700 900 982")
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException as parse_error:
        raise error from parse_error
    mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if number.country_code != 44 or not phonenumbers.is_valid_number(number) or not mobile:
        raise error
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


# 7. The code sent by text message


class PhoneCodeForm(StepForm):
    code = forms.CharField(
        label="Text message code",
        help_text="The code is 6 numbers.",
        max_length=20,
        error_messages={"required": "Enter the code from the text message"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )
    code.govuk_width = 5  # type: ignore[attr-defined]

    def __init__(self, *args: Any, store: Draft, phone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.phone = phone

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        return {}

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError("Enter the 6-number code from the text message")
        try:
            signup.phone_code_check(store=self.store, phone=self.phone, code=code)
        except signup.PhoneCodeError as error:
            raise forms.ValidationError(error.message) from error
        return code

    def save_to(self, draft: Draft) -> None:
        draft["phone_verified"] = self.phone


# 8. Language


class LanguageForm(StepForm):
    language = forms.ChoiceField(
        label="Which language would you like messages in?",
        help_text="Messages are in English when there is no translation.",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a language"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(code, language_label(code, name)) for code, name in settings.SUBSCRIBER_LANGUAGES]

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        return {"language": draft.get("language", "en")}


def language_label(code: str, name: str) -> str:
    """ "اردو (Urdu)" with the language's own name marked up as that language, for screen readers (WCAG 3.1.2)."""
    native, bracket, english = name.partition(" (")
    if not bracket:
        return name
    return format_html('<span lang="{}" dir="auto">{}</span> ({}', code, native, english)


# 9. Optional questions about you

PREFER_NOT = ("prefer-not-to-say", "Prefer not to say")
AGE_BANDS = [
    ("under-18", "Under 18"),
    ("18-24", "18 to 24"),
    ("25-34", "25 to 34"),
    ("35-44", "35 to 44"),
    ("45-54", "45 to 54"),
    ("55-64", "55 to 64"),
    ("65-74", "65 to 74"),
    ("75-or-over", "75 or over"),
    PREFER_NOT,
]
# The Office for National Statistics' high-level ethnic groups (Census 2021).
ETHNICITIES = [
    ("asian", "Asian or Asian British"),
    ("black", "Black, Black British, Caribbean or African"),
    ("mixed", "Mixed or multiple ethnic groups"),
    ("white", "White"),
    ("other", "Other ethnic group"),
    PREFER_NOT,
]
DISABILITY = [("yes", "Yes"), ("no", "No"), PREFER_NOT]
DEMOGRAPHIC_FIELDS = ("age_band", "ethnicity", "disability")


class AboutYouForm(StepForm):
    age_band = forms.ChoiceField(label="What is your age?", choices=AGE_BANDS, required=False, widget=forms.RadioSelect)
    ethnicity = forms.ChoiceField(
        label="What is your ethnic group?", choices=ETHNICITIES, required=False, widget=forms.RadioSelect
    )
    disability = forms.ChoiceField(
        label="Are you disabled, or do you have a long-term health condition?",
        help_text="One that has lasted, or is expected to last, 12 months or more.",
        choices=DISABILITY,
        required=False,
        widget=forms.RadioSelect,
    )
    consent = forms.MultipleChoiceField(
        label="Do you agree to us keeping these answers?",
        required=False,
        choices=[("yes", "")],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, changing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changing = changing
        # The words stored with the consent are the words shown beside the box.
        self.wording = signup.demographics_consent_wording()
        self.fields["consent"].choices = [("yes", self.wording)]  # type: ignore[attr-defined]

    @classmethod
    def initial_from(cls, draft: Draft) -> dict[str, Any]:
        answers = draft.get("demographics") or {}
        initial = {name: answers.get(name, "") for name in DEMOGRAPHIC_FIELDS}
        if any(initial.values()):
            initial["consent"] = ["yes"]
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        answered = any(data.get(name) for name in DEMOGRAPHIC_FIELDS)
        if answered and not data.get("consent"):
            other_way = "delete your answers" if self.changing else "skip these questions"
            self.add_error("consent", f"Tick the box to agree, or {other_way}")
        return data

    def save_to(self, draft: Draft) -> None:
        answers = {name: self.cleaned_data.get(name, "") for name in DEMOGRAPHIC_FIELDS}
        draft["demographics"] = {**answers, "wording": self.wording} if any(answers.values()) else None
        draft["about_you_done"] = True


def choice_label(choices: list[tuple[Any, str]], value: Any) -> str:
    return dict(choices).get(value, "")
