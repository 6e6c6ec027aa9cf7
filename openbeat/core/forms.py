"""GOV.UK Design System form patterns for every public form.

Subclass `GovukForm` (or mix `GovukFormMixin` into a ModelForm) and render it with `{{ form }}` inside a
`<form>`; put `{% include "core/includes/error_summary.html" %}` at the top of the page (base.html does it
for a context variable named `form`). What you get for free:

- an error summary listing every error, each linked to its field (`#id_<name>`), focused on load;
- "Error: " prefixed to the page title when the form has errors (base.html);
- per field: label (or fieldset + legend for radios and checkboxes), hint from `help_text`, the error
  message above the input, `aria-describedby` pointing at both, `aria-invalid`, and the typed value kept;
- widgets styled by type (text, email, tel, number, textarea, select, radios, checkboxes).

Field options: `field.widget.attrs["autocomplete"] = "postal-code"` etc. as usual; a `govuk_width` attribute
on the field (e.g. `10`) narrows a text input to that many characters.

Dates: `GovukDateField` (GOV.UK's date input: day, month and year boxes in a fieldset), never `<input
type=date>`, whose format follows the browser's language rather than the hint.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import timezone

# Checked in order: CheckboxSelectMultiple is a subclass of RadioSelect, which is a subclass of Select.
_WIDGET_CLASSES = {
    forms.Textarea: "ob-textarea",
    forms.CheckboxSelectMultiple: "ob-checkboxes__input",
    forms.RadioSelect: "ob-radios__input",
    forms.Select: "ob-select",
    forms.CheckboxInput: "ob-checkboxes__input",
    forms.FileInput: "ob-file-upload",
}


class GovukRenderer(DjangoTemplates):
    """Looks in templates/govuk/ first, so public forms get GOV.UK markup while the back office keeps Wagtail's."""

    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(f"govuk/{template_name}")
        except Exception:
            return super().get_template(template_name)


_renderer = GovukRenderer()


class GovukFormMixin:
    default_renderer: Any = _renderer
    template_name = "core/forms/form.html"
    error_css_class = "ob-form-group--error"
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = next((c for w, c in _WIDGET_CLASSES.items() if isinstance(widget, w)), "ob-input")
            width = getattr(field, "govuk_width", None)
            if width:
                css += f" ob-input--width-{width}"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:
                field = self.fields[name]
                if isinstance(field.widget, GovukDateInput):
                    continue  # its fieldset carries the hint and the error; each box says if it is wrong
                # Setting aria-describedby stops Django adding the hint's id itself, so both go in here.
                hint = f"id_{name}_helptext" if field.help_text else ""
                described = {field.widget.attrs.get("aria-describedby", ""), f"id_{name}-error", hint}
                field.widget.attrs["aria-describedby"] = " ".join(sorted(filter(None, described)))
                field.widget.attrs["aria-invalid"] = "true"

    def error_list(self) -> list[tuple[str, str]]:
        """(href, message) for the error summary, fields in form order, non-field errors first."""
        errors = self.errors  # type: ignore[attr-defined]
        items = [("", str(message)) for message in errors.get("__all__", [])]
        for name in self.fields:
            for message in errors.get(name, []):
                items.append((f"#id_{name}{self._first_option_suffix(name)}", str(message)))
        return items

    def _first_option_suffix(self, name: str) -> str:
        # Radios and checkboxes have no element with the field's own id: link to the first option. A date
        # input: to its first box with a problem (the day box when the whole date is wrong).
        widget = self.fields[name].widget
        if isinstance(widget, GovukDateInput):
            return f"_{widget.first_invalid_part()}"
        return "_0" if isinstance(widget, forms.RadioSelect) else ""


class GovukForm(GovukFormMixin, forms.Form):
    pass


# Dates: GOV.UK's date input pattern (https://design-system.service.gov.uk/components/date-input/)

_PARTS = ("day", "month", "year")
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (dt.date(2000, number, 1).strftime("%B").lower(), dt.date(2000, number, 1).strftime("%b").lower())
}


class GovukDateInput(forms.MultiWidget):
    """Three text boxes, Day, Month and Year, each labelled, numeric keyboard on phones."""

    template_name = "core/forms/date_input.html"
    widths = {"day": 2, "month": 2, "year": 4}

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(dict.fromkeys(_PARTS, forms.TextInput), attrs)
        # The boxes the field found a problem in (set while cleaning): only those are marked as wrong.
        self.invalid_parts: tuple[str, ...] = ()

    def first_invalid_part(self) -> int:
        return next((i for i, part in enumerate(_PARTS) if part in self.invalid_parts), 0)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        invalid = context["widget"]["attrs"].pop("aria-invalid", None) == "true"
        for part, subwidget in zip(_PARTS, context["widget"]["subwidgets"], strict=True):
            wrong = invalid and (not self.invalid_parts or part in self.invalid_parts)
            css = f"ob-input ob-date-input__input ob-input--width-{self.widths[part]}"
            subwidget["attrs"]["class"] = css + (" ob-input--error" if wrong else "")
            subwidget["attrs"]["inputmode"] = "numeric"
            subwidget["attrs"]["spellcheck"] = "false"
            subwidget["attrs"].pop("aria-describedby", None)
            if wrong:
                subwidget["attrs"]["aria-invalid"] = "true"
            else:
                subwidget["attrs"].pop("aria-invalid", None)
            subwidget["part_label"] = part.capitalize()
        return context


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK's error messages.

    `subject` names the date in messages ("The date must include a month"); `earliest` refuses dates before it
    (default 1 January 1900: nobody reports an incident older, and typos like 0226 for 2026 are caught);
    `past=True` refuses dates after today, for questions like "When did it happen?". Cleans to a `date`,
    or None when left blank and not required.
    """

    widget = GovukDateInput

    def __init__(
        self,
        *,
        subject: str = "The date",
        earliest: dt.date | None = dt.date(1900, 1, 1),
        past: bool = False,
        **kwargs: Any,
    ) -> None:
        self.subject = subject
        self.earliest = earliest
        self.past = past
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", f"Enter {subject[:1].lower()}{subject[1:]}")
        fields = tuple(forms.CharField(required=False) for _ in _PARTS)
        super().__init__(fields, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> Any:
        self.widget.invalid_parts = ()
        return super().clean(value)

    def _refuse(self, message: str, code: str, parts: tuple[str, ...] = ()) -> forms.ValidationError:
        self.widget.invalid_parts = parts
        return forms.ValidationError(message, code=code)

    def compress(self, data_list: list[Any]) -> dt.date | None:
        typed = dict(zip(_PARTS, [str(v or "").strip() for v in data_list] or ["", "", ""], strict=False))
        missing = tuple(part for part in _PARTS if not typed.get(part))
        if len(missing) == len(_PARTS):
            return None
        subject = self.subject
        if missing:
            raise self._refuse(f"{subject} must include a {' and '.join(missing)}", "incomplete", missing)
        numbers: dict[str, int] = {}
        wrong: list[str] = []
        for part in _PARTS:
            text = typed[part]
            if part == "month" and text.lower().rstrip(".") in _MONTHS:
                numbers[part] = _MONTHS[text.lower().rstrip(".")]
            elif re.fullmatch(r"[0-9]{1,4}", text):
                numbers[part] = int(text)
            else:
                wrong.append(part)
        if "year" not in wrong and len(typed["year"]) != 4:
            if not wrong:
                raise self._refuse("Year must include 4 numbers", "year", ("year",))
            wrong.append("year")
        try:
            if wrong:
                raise ValueError
            day = dt.date(numbers["year"], numbers["month"], numbers["day"])
        except ValueError:
            raise self._refuse(f"{subject} must be a real date", "invalid", tuple(wrong)) from None
        if self.earliest is not None and day < self.earliest:
            when = f"{self.earliest.day} {self.earliest:%B %Y}"
            raise self._refuse(f"{subject} must be the same as or after {when}", "too_early")
        if self.past and day > timezone.localdate():
            raise self._refuse(f"{subject} must be today or in the past", "future")
        return day
