"""The public forms (GOV.UK patterns: error summary, typed values kept) and the staff edit form (Wagtail admin).

Forms check shapes and lengths only; the services check the rest and their errors are put back on the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms

from openbeat.areas.forms import FindNeighbourhoodForm
from openbeat.areas.models import Neighbourhood
from openbeat.areas.postcodes import MalformedPostcode, postcode_hint
from openbeat.areas.widgets import ADMIN_BUTTON, DrawAreaWidget
from openbeat.core.forms import GovukForm
from openbeat.core.users import RequestUser
from openbeat.schemes.geometry import RADIUS_CHOICES
from openbeat.schemes.models import DESCRIPTION_MAX, MAX_HOUSEHOLDS, NAME_MAX, Scheme
from openbeat.staff.scope import scope_for

_EMAIL_ERRORS = {
    "required": "Enter an email address",
    "invalid": "Enter an email address in the correct format, like name@example.com",
    "max_length": "Enter an email address in the correct format, like name@example.com",
}
_RADIUS_LABELS = {100: "About 100 metres (a street)", 250: "About 250 metres", 500: "About 500 metres"}


def _radius_label(metres: int) -> str:
    if metres in _RADIUS_LABELS:
        return _RADIUS_LABELS[metres]
    return "About 1 mile" if metres > 1500 else f"About {metres / 1000:g} kilometre"


class FinderForm(FindNeighbourhoodForm):
    """A postcode in the force's area (the same checks and messages as "Find your neighbourhood")."""


def _email_field(label: str, help_text: str) -> forms.EmailField:
    field = forms.EmailField(label=label, help_text=help_text, max_length=254, error_messages=_EMAIL_ERRORS)
    field.widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
    return field


AREA_MAX = 100_000  # characters of GeoJSON a coordinator may send: a drawn shape of a few thousand corners


def _drawn_area_field(
    *, label: str, help_text: str, alternative: str, max_length: int = AREA_MAX, **widget: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=max_length,
        error_messages={"max_length": "The area has too many corners: draw it again with fewer"},
        widget=DrawAreaWidget(map_label="Map for drawing the scheme's area", alternative=alternative, **widget),
    )


def _show_current_area(form: forms.BaseForm, area: dict[str, Any] | None) -> None:
    widget = form.fields["area_geojson"].widget
    assert isinstance(widget, DrawAreaWidget)
    widget.existing = area


def _households_field() -> forms.IntegerField:
    field = forms.IntegerField(
        label="Households covered",
        help_text="Roughly how many homes or businesses are in the scheme.",
        min_value=0,
        max_value=MAX_HOUSEHOLDS,
        error_messages={
            "required": "Enter the number of households",
            "invalid": "Enter the number of households as a whole number, like 40",
            "min_value": "The number of households cannot be below 0",
            "max_value": f"The number of households must be {MAX_HOUSEHOLDS:,} or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    field.govuk_width = 5  # type: ignore[attr-defined]
    return field


class SchemeDetailsForm(GovukForm):
    name = forms.CharField(
        label="Scheme name",
        help_text="For example, Mill Lane Neighbourhood Watch.",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter the scheme's name",
            "max_length": f"The name must be {NAME_MAX} characters or fewer",
        },
    )
    kind = forms.ChoiceField(
        label="Type of scheme",
        choices=Scheme.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of scheme", "invalid_choice": "Choose the type of scheme"},
    )
    households = _households_field()
    description = forms.CharField(
        label="About the scheme (optional)",
        help_text="Shown on the scheme's public page: the streets it covers, when it meets.",
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"The description must be {DESCRIPTION_MAX} characters or fewer"},
    )


class RegisterForm(SchemeDetailsForm):
    postcode = forms.CharField(
        label="Postcode at the centre of the scheme",
        help_text=postcode_hint(),
        max_length=16,
        error_messages={"required": "Enter a postcode", "max_length": MalformedPostcode.message},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    postcode.govuk_width = 10  # type: ignore[attr-defined]
    radius = forms.TypedChoiceField(
        label="How far does the scheme reach?",
        choices=[(m, _radius_label(m)) for m in RADIUS_CHOICES],
        coerce=int,
        widget=forms.RadioSelect,
        initial=250,
        error_messages={
            "required": "Choose how far the scheme reaches",
            "invalid_choice": "Choose how far the scheme reaches",
        },
    )
    area_geojson = _drawn_area_field(
        label="Or draw the scheme's area (optional)",
        help_text="If you draw the area on the map, it is used instead of the circle around the postcode.",
        alternative="If you cannot use the map, leave this empty: the scheme covers the circle you chose above. "
        "You can also paste the area in the box as GeoJSON.",
    )
    coordinator_name = forms.CharField(
        label="Your full name",
        max_length=120,
        error_messages={"required": "Enter your full name", "max_length": "The name must be 120 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = _email_field("Your email address", "We email you a link to confirm it and to manage the scheme.")
    phone = forms.CharField(
        label="Your phone number (optional)",
        required=False,
        max_length=30,
        error_messages={"max_length": "Enter a telephone number, like 01632 960 001 or 07700 900 982"},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    show_contact = forms.BooleanField(
        label="Show my name, email address and phone number on the scheme's public page",
        help_text="If you leave this unticked, people see only the scheme's name, area and type.",
        required=False,
    )
    itk_opt_in = forms.BooleanField(
        label="Add me to the In the Know group for watch scheme coordinators",
        required=False,
    )

    def __init__(self, *args: Any, itk_wording: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if itk_wording:
            self.fields["itk_opt_in"].help_text = itk_wording


class CoordinatorForm(GovukForm):
    """Named apart from the details form's fields: both are on the manage page, and ids must be unique."""

    co_name = forms.CharField(
        label="Their full name",
        max_length=120,
        error_messages={
            "required": "Enter the coordinator's full name",
            "max_length": "The name must be 120 characters or fewer",
        },
    )
    co_email = _email_field("Their email address", "We email them a link: they become a coordinator once they open it.")
    co_phone = forms.CharField(label="Their phone number (optional)", required=False, max_length=30)


class ManageForm(SchemeDetailsForm):
    area_geojson = _drawn_area_field(
        label="The scheme's area (optional)",
        help_text="Draw a new area to replace the one saved now, or leave this empty to keep it.",
        alternative="Without the map, paste the area in the box as GeoJSON, or leave it empty to keep the area "
        "as it is.",
    )
    show_contact = forms.BooleanField(
        label="Show my name, email address and phone number on the scheme's public page", required=False
    )
    itk_opt_in = forms.BooleanField(
        label="Add me to the In the Know group for watch scheme coordinators", required=False
    )

    def __init__(
        self, *args: Any, itk_wording: str = "", current_area: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if itk_wording:
            self.fields["itk_opt_in"].help_text = itk_wording
        _show_current_area(self, current_area)


class SignInForm(GovukForm):
    email = _email_field("Email address", "The address you registered the scheme with.")


class SuspendForm(forms.Form):
    reason = forms.CharField(label="Reason (for the audit log)", required=False, max_length=500)


class StaffSchemeForm(forms.Form):
    """Staff edit (Wagtail admin styling): details and the area, drawn as GeoJSON or chosen neighbourhoods."""

    name = forms.CharField(max_length=NAME_MAX)
    kind = forms.ChoiceField(choices=Scheme.Kind.choices)
    households = forms.IntegerField(min_value=0, max_value=MAX_HOUSEHOLDS)
    description = forms.CharField(required=False, max_length=DESCRIPTION_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    area_source = forms.ChoiceField(choices=Scheme.AreaSource.choices, widget=forms.RadioSelect, label="Area")
    area_geojson = _drawn_area_field(
        label="Drawn area (GeoJSON)",
        help_text="Draw the area on the map, or paste a Polygon drawn in a map tool (WGS84); leave empty to keep "
        "the current shape.",
        alternative="Without the map, paste the GeoJSON in the box, or choose “Chosen neighbourhoods” and tick "
        "them below.",
        max_length=500_000,
        button_class=ADMIN_BUTTON,
    )
    neighbourhoods = forms.ModelMultipleChoiceField(
        queryset=Neighbourhood.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, user: RequestUser, current_area: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _show_current_area(self, current_area)
        field = self.fields["neighbourhoods"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = scope_for(user).filter(Neighbourhood.objects.select_related("division")).order_by("name")
