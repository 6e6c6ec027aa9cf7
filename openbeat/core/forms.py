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
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates

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
        # Radios and checkboxes have no element with the field's own id: link to the first option.
        widget = self.fields[name].widget
        return "_0" if isinstance(widget, forms.RadioSelect) else ""


class GovukForm(GovukFormMixin, forms.Form):
    pass
