"""The back office's reusable parts of alerts: templates (the force's and one's own), saved audiences, and what the
composer needs to start from them and to compose an update to a sent alert's recipients.

Everything works without JavaScript. "Start from a template" and "Use a saved audience" are plain GET forms above
the composer (`?template=3&neighbourhood=4`, `?audience=5`; the same links the lists offer), filled in on the
server. "Save this audience" posts the composer's own form, which is then shown again as typed
(`AlertForm.quiet`: nothing was submitted, so no errors are shown). Templates and audiences outside what a user
may see are 404s; the services check again and write the audit log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from wagtail.admin import messages

from openbeat.alerts import disclosure
from openbeat.alerts.alert_templates import (
    TemplateFillError,
    TemplatePermissionError,
    default_neighbourhood,
    placeholder_help,
    template_can_change,
    template_create,
    template_delete,
    template_fill,
    template_update,
    templates_for,
)
from openbeat.alerts.breakdown import audience_shown
from openbeat.alerts.forms import MARKDOWN_HINT, AlertForm
from openbeat.alerts.models import Alert, AlertTemplate, Priority, SavedAudience
from openbeat.alerts.saved_audiences import (
    saved_audience_create,
    saved_audience_delete,
    saved_audience_problem,
    saved_audiences_for,
)
from openbeat.alerts.services import AlertPermissionError
from openbeat.alerts.targeting import TargetingError, spec_from_json
from openbeat.areas.models import Neighbourhood
from openbeat.core.numbers import whole_number
from openbeat.core.users import RequestUser, signed_in_staff
from openbeat.staff.scope import scope_for
from openbeat.subscriptions.models import Interest

# ----------------------------------------------------------------------------------------------- the composer


def _neighbourhoods(user: RequestUser) -> Any:
    return scope_for(user).filter(Neighbourhood.objects.select_related("division"), "division").order_by("name")


def _id(value: str | None) -> int | None:
    return whole_number(value)


def _filled(request: HttpRequest, template_id: str | None, neighbourhood_id: str | None) -> dict[str, Any] | None:
    """The composer's fields from the template chosen, for the neighbourhood chosen (else the officer's own);
    None, with the reason shown, when it cannot be used."""
    pk = _id(template_id)
    template = templates_for(request.user).filter(pk=pk).first() if pk is not None else None
    if template is None:
        messages.error(request, "Choose a template")
        return None
    if (chosen := _id(neighbourhood_id)) is not None:
        neighbourhood = _neighbourhoods(request.user).filter(pk=chosen).first()
    else:
        neighbourhood = default_neighbourhood(request.user)
    try:
        values = template_fill(template=template, user=request.user, neighbourhood=neighbourhood)
    except TemplateFillError as error:
        messages.error(request, error.message)
        return None
    messages.success(request, f"Filled in from the template '{template.name}'.")
    if neighbourhood is not None:
        values["_neighbourhood"] = neighbourhood.pk
    return values


def _usable_audience(request: HttpRequest, audience_id: str | None) -> SavedAudience | None:
    pk = _id(audience_id)
    audience = saved_audiences_for(request.user).filter(pk=pk).first() if pk is not None else None
    if audience is None:
        messages.error(request, "Choose a saved audience")
        return None
    if problem := saved_audience_problem(audience=audience, user=request.user):
        messages.error(request, f"The saved audience '{audience.name}' cannot be used: {problem}.")
        return None
    messages.success(request, f"Targeting filled in from the saved audience '{audience.name}', counted again now.")
    return audience


def start_initial(request: HttpRequest, *, update: bool = False) -> dict[str, Any]:
    """Initial values from links (`?template=3&neighbourhood=4`, `?audience=5`) on the templates' and saved
    audiences' pages."""
    initial: dict[str, Any] = {}
    if "template" in request.GET and (
        values := _filled(request, request.GET["template"], request.GET.get("neighbourhood"))
    ):
        neighbourhood = values.pop("_neighbourhood", None)
        initial.update(values)
        if neighbourhood is not None and not update:
            initial["neighbourhoods"] = [neighbourhood]
    if "audience" in request.GET and not update and (audience := _usable_audience(request, request.GET["audience"])):
        initial.update(AlertForm.targeting_initial(audience.targeting))
    return initial


def update_initial(earlier: Alert) -> dict[str, Any]:
    """The update composer's opening values: "Update: <title>", the same topic, priority and link, the same
    channels; the recipients are the earlier alert's (the targeting's `update_of`)."""
    targeting = earlier.targeting or {}
    return {
        "title": f"Update: {earlier.title}"[:150],
        "interest": earlier.interest_id if earlier.interest.active else None,
        "priority": earlier.priority,
        "link_url": earlier.link_url,
        "link_text": earlier.link_text,
        **AlertForm.targeting_initial(
            {
                "update_of": earlier.pk,
                "demographics": targeting.get("demographics") or {},
                "channels": targeting.get("channels") or [],
            }
        ),
    }


def composer_reuse(request: HttpRequest, form: AlertForm) -> AlertForm | None:
    """The composer's "Save this audience" button: the form to show again as it was (None for other buttons)."""
    post = request.POST
    if "save_audience" in post and form.update_of is None:
        form.is_valid()
        if any(form.is_targeting_field(name) for name in form.errors):
            messages.error(request, "The audience was not saved: correct the targeting first.")
            return form
        try:
            audience = saved_audience_create(
                actor=signed_in_staff(request),
                name=post.get("audience_name", ""),
                targeting=form.build_targeting(),
                request=request,
            )
        except ValidationError as error:
            messages.error(request, f"The audience was not saved: {' '.join(error.messages)}")
        except (TargetingError, AlertPermissionError) as error:
            messages.error(request, f"The audience was not saved: {error.message}")
        else:
            messages.success(request, f"Saved the audience '{audience.name}'.")
        return form.quiet()
    return None


def _recipients_words(count: disclosure.Shown, earlier: Alert) -> str:
    return f"Update to the {count} recipient{'s' if count.plural else ''} of '{earlier.title}'"


def update_words(request: HttpRequest, alert: Alert) -> str | None:
    """ "Update to the N recipients of '<title>'" for an update's page: N as sent, or as it would be now."""
    earlier_id = (alert.targeting or {}).get("update_of")
    earlier = Alert.objects.filter(pk=earlier_id).first() if earlier_id else None
    if earlier is None:
        return None
    n = disclosure.threshold(request)
    if alert.state in (Alert.State.SENDING, Alert.State.SENT):
        return _recipients_words(disclosure.alert_counts(alert, n).subscribers, earlier)
    try:
        shown = audience_shown(spec=spec_from_json(alert.targeting), priority=alert.priority, n=n)
    except TargetingError as error:
        return f"Update to the recipients of '{earlier.title}' ({error.message})"
    return _recipients_words(shown.subscribers, earlier)


def composer_context(request: HttpRequest, form: AlertForm) -> dict[str, Any]:
    """What the composer shows of templates, saved audiences and (for an update) whose recipients it goes to."""
    user = request.user
    context: dict[str, Any] = {
        "templates": list(templates_for(user)),
        "neighbourhoods": list(_neighbourhoods(user)),
        "own_neighbourhood": getattr(default_neighbourhood(user), "pk", None),
        "audiences": [],
        "update_words": "",
    }
    if form.update_of is None:
        context["audiences"] = [
            (audience, saved_audience_problem(audience=audience, user=user)) for audience in saved_audiences_for(user)
        ]
        return context
    channels = form["channels"].value() or []
    targeting = {
        "update_of": form.update_of.pk,
        "demographics": (form.update_of.targeting or {}).get("demographics") or {},
        "channels": [c for c in ("email", "sms") if c in channels],
    }
    try:
        priority = int(form["priority"].value() or Priority.NORMAL)
    except (TypeError, ValueError):
        priority = Priority.NORMAL
    try:
        shown = audience_shown(spec=spec_from_json(targeting), priority=priority, n=disclosure.threshold(request))
        context["update_words"] = _recipients_words(shown.subscribers, form.update_of)
    except TargetingError as error:
        context["update_words"] = f"Update to the recipients of '{form.update_of.title}': {error.message}"
    return context


# ----------------------------------------------------------------------------------------------- templates


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What it is for, as the composer lists it.")
    title = forms.CharField(max_length=150)
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"{MARKDOWN_HINT} Placeholders, filled in when the template is used: {placeholder_help()}.",
    )
    interest = forms.ModelChoiceField(
        label="What is it about?", queryset=Interest.objects.none(), required=False, empty_label="No topic"
    )
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.NORMAL)
    link_url = forms.URLField(label="Link address", required=False, assume_scheme="https")
    link_text = forms.CharField(label="Link text", required=False, max_length=80)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interest"].queryset = Interest.objects.filter(  # type: ignore[attr-defined]
            active=True, kind=Interest.Kind.TOPIC
        )

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


def _template(request: HttpRequest, pk: int) -> AlertTemplate:
    return get_object_or_404(templates_for(request.user), pk=pk)


@permission_required("alerts.send_alert", raise_exception=True)
def template_list(request: HttpRequest) -> HttpResponse:
    templates = list(templates_for(request.user))
    return render(
        request,
        "alerts/staff/template_list.html",
        {
            "force_templates": [(t, template_can_change(request.user, t)) for t in templates if t.is_force_template],
            "own_templates": [t for t in templates if not t.is_force_template],
            "can_manage_force": request.user.has_perm("alerts.manage_force_templates"),
        },
    )


def _template_form_page(
    request: HttpRequest, form: TemplateForm, template: AlertTemplate | None, force: bool
) -> HttpResponse:
    return render(request, "alerts/staff/template_form.html", {"form": form, "template": template, "force": force})


@permission_required("alerts.send_alert", raise_exception=True)
def template_new(request: HttpRequest) -> HttpResponse:
    force = request.GET.get("force") == "1" or request.POST.get("force") == "1"
    if force and not request.user.has_perm("alerts.manage_force_templates"):
        raise PermissionDenied("You do not have permission to change the force's templates")
    if request.method != "POST":
        return _template_form_page(request, TemplateForm(), None, force)
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            template = template_create(
                actor=signed_in_staff(request), force=force, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Template '{template.name}' saved.")
            return redirect("alerts_staff:templates")
    return _template_form_page(request, form, None, force)


@permission_required("alerts.send_alert", raise_exception=True)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(request, pk)
    if not template_can_change(request.user, template):
        raise PermissionDenied("You cannot change this template")
    if request.method != "POST":
        initial = {name: getattr(template, name) for name in TemplateForm.base_fields}
        return _template_form_page(request, TemplateForm(initial=initial), template, template.is_force_template)
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            template_update(template=template, actor=signed_in_staff(request), request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Template '{form.cleaned_data['name']}' saved.")
            return redirect("alerts_staff:templates")
    return _template_form_page(request, form, template, template.is_force_template)


@permission_required("alerts.send_alert", raise_exception=True)
def template_remove(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template(request, pk)
    if not template_can_change(request.user, template):
        raise PermissionDenied("You cannot delete this template")
    if request.method != "POST":
        return render(request, "alerts/staff/confirm_delete.html", {"thing": "template", "object": template})
    try:
        template_delete(template=template, actor=signed_in_staff(request), request=request)
    except TemplatePermissionError as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, f"Template '{template.name}' deleted.")
    return redirect("alerts_staff:templates")


# ----------------------------------------------------------------------------------------------- saved audiences


@permission_required("alerts.send_alert", raise_exception=True)
def audience_list(request: HttpRequest) -> HttpResponse:
    from openbeat.alerts.views.staff import targeting_in_words

    audiences = [
        (audience, saved_audience_problem(audience=audience, user=request.user), targeting_in_words(audience.targeting))
        for audience in saved_audiences_for(request.user)
    ]
    return render(request, "alerts/staff/audience_list.html", {"audiences": audiences})


@permission_required("alerts.send_alert", raise_exception=True)
def audience_remove(request: HttpRequest, pk: int) -> HttpResponse:
    audience = get_object_or_404(saved_audiences_for(request.user), pk=pk)
    if request.method != "POST":
        return render(request, "alerts/staff/confirm_delete.html", {"thing": "saved audience", "object": audience})
    saved_audience_delete(audience=audience, actor=signed_in_staff(request), request=request)
    messages.success(request, f"Saved audience '{audience.name}' deleted.")
    return redirect("alerts_staff:audiences")
