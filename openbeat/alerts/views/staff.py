"""The back office's alerts: list, compose and edit (with the targeting builder and live count), the alert's
page with previews and history, and the lifecycle buttons.

Every view checks a permission and then the scope: alerts are only ever read through `alerts_for(user)` (an
alert outside it is a 404), and what a user may do to one is `alert_can` / the services' own checks. The
services write the audit log; these views never do.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from openbeat.alerts import disclosure, handoff, media, services
from openbeat.alerts.audience import geometry_of
from openbeat.alerts.breakdown import audience_shown
from openbeat.alerts.clipping import shapes_clip
from openbeat.alerts.emails import alert_email, preview_hrefs
from openbeat.alerts.forms import DEMOGRAPHICS, AlertForm
from openbeat.alerts.markdown import render_html, render_text
from openbeat.alerts.models import Alert, Priority
from openbeat.alerts.selectors import alert_can, alert_problem, alerts_for
from openbeat.alerts.sms import sms_segments, sms_text
from openbeat.alerts.targeting import TargetingError, spec_from_json
from openbeat.alerts.views import library
from openbeat.areas.models import Division, Neighbourhood
from openbeat.audit.models import AuditEntry
from openbeat.core.models import Force
from openbeat.core.numbers import whole_number
from openbeat.core.uploads import size_in_words
from openbeat.core.users import signed_in_staff
from openbeat.subscriptions.models import Interest
from openbeat.surveys.invitations import preview_url as invitation_preview_url
from openbeat.surveys.models import Survey, SurveyInvitation
from openbeat.surveys.selectors import surveys_for
from openbeat.surveys.services import SurveyPermissionError, invitation_copy, invitation_set

ACTIONS = ("edit", "submit", "approve", "reject", "cancel", "copy", "update")
_HISTORY_WORDS = {
    "alerts.alert.create": "Composed",
    "alerts.alert.change": "Changed",
    "alerts.alert.submit": "Submitted",
    "alerts.alert.approve": "Approved",
    "alerts.alert.reject": "Sent back to the author",
    "alerts.alert.cancel": "Cancelled",
    "alerts.alert.dispatch": "Sending started",
    "alerts.alert.sent": "Sent",
    "alerts.alert.copy": "Copied from another alert",
}
_ERRORS = (services.AlertStateError, services.AlertPermissionError, TargetingError)


def _alert(request: HttpRequest, pk: int) -> Alert:
    """The alert if it is in the user's scope; otherwise 404, so other divisions' alerts do not even exist."""
    return get_object_or_404(alerts_for(request.user).prefetch_related("translations"), pk=pk)


# ----------------------------------------------------------------------------------------------- list


@permission_required("alerts.view_alert", raise_exception=True)
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts = alerts_for(request.user)
    state = request.GET.get("state", "")
    if state in Alert.State.values:
        alerts = alerts.filter(state=state)
    page = Paginator(alerts, 50).get_page(request.GET.get("p"))
    listed = disclosure.annotate(page.object_list, request)
    # The delivery app's figures for the whole page in one read: the same as on each alert's page.
    figures = handoff.figures(listed, n=disclosure.threshold(request))
    for alert in listed:
        alert.figures = figures.get(alert.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "alerts/staff/alert_list.html",
        {
            "page": page,
            "alerts": listed,
            "figures_template": handoff.figures_template(),
            "states": Alert.State.choices,
            "state": state,
            "can_compose": request.user.has_perm("alerts.send_alert"),
        },
    )


# ----------------------------------------------------------------------------------------------- compose


def _composer(request: HttpRequest, form: AlertForm, alert: Alert | None, previews: Any = None) -> HttpResponse:
    # Editing a draft opens with its count (the script refreshes it as the targeting changes).
    live = _live_breakdown(request, alert) if alert is not None and not form.is_bound else None
    if live and "error" in live:
        live = None
    return render(
        request,
        "alerts/staff/alert_form.html",
        {
            "form": form,
            "alert": alert,
            "previews": previews,
            "map_neighbourhoods": form.map_neighbourhoods,
            "reuse": library.composer_context(request, form),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "summary": live["shown"].summary if live else "",
            "breakdown": live["shown"].breakdown if live else None,
            "shown": live["shown"] if live else None,
            "clip": form.clip.as_json() if form.clip else None,
            "image_src": media.image_url(alert) if alert is not None else "",
        },
    )


def _previews_from_post(request: HttpRequest, alert: Alert | None = None) -> dict[str, Any]:
    post = request.POST
    try:
        priority = int(post.get("priority", Priority.NORMAL))
    except ValueError:
        priority = Priority.NORMAL
    interest_id = whole_number(post.get("interest", ""))
    interest = Interest.objects.filter(pk=interest_id).first() if interest_id is not None else None
    survey_id = whole_number(post.get("survey", ""))
    survey = surveys_for(request.user).filter(pk=survey_id).first() if survey_id is not None else None
    return preview_context(
        title=post.get("title", ""),
        body=post.get("body", ""),
        priority=priority,
        link_url=post.get("link_url", ""),
        link_text=post.get("link_text", ""),
        topic=interest.name if interest else "",
        alert=alert,
        survey=survey,
    )


def _save(request: HttpRequest, form: AlertForm, alert: Alert | None) -> Alert | None:
    """Create or update through the services; their refusals become form errors. None when refused."""
    staff = signed_in_staff(request)
    try:
        with transaction.atomic():  # the alert and its image and documents together, or neither
            if alert is None:
                alert = services.alert_create(author=staff, request=request, **form.service_fields())
            else:
                alert = services.alert_update(alert=alert, editor=staff, request=request, **form.service_fields())
            alert = media.alert_media_change(alert=alert, editor=staff, request=request, **form.media_fields())
            if "survey" in form.fields:
                invitation_set(alert=alert, survey=form.cleaned_data.get("survey"), actor=staff, request=request)
        if form.clip is not None:
            messages.warning(request, form.clip.notice)
        return alert
    except ValidationError as error:
        form.add_service_errors(error)
    except SurveyPermissionError as error:
        form.add_error("survey", error.message)
    except _ERRORS as error:
        form.add_error(None, error.message)
    return None


@permission_required("alerts.send_alert", raise_exception=True)
def alert_new(request: HttpRequest) -> HttpResponse:
    return _compose_new(request, update_of=None)


def _compose_new(request: HttpRequest, *, update_of: Alert | None) -> HttpResponse:
    """A new draft, or (`update_of`) a new update to a sent alert's recipients."""
    if request.method != "POST":
        initial = library.update_initial(update_of) if update_of is not None else {}
        initial.update(library.start_initial(request, update=update_of is not None))
        return _composer(request, AlertForm(user=request.user, update_of=update_of, initial=initial), None)
    form = AlertForm(request.POST, request.FILES, user=request.user, update_of=update_of)
    if "preview" in request.POST:
        return _composer(request, form, None, _previews_from_post(request))
    if (reused := library.composer_reuse(request, form)) is not None:
        return _composer(request, reused, None)
    if form.is_valid() and (alert := _save(request, form, None)) is not None:
        messages.success(request, f"Draft '{alert.title}' saved.")
        return redirect("alerts_staff:detail", pk=alert.pk)
    return _composer(request, form, None)


@permission_required("alerts.send_alert", raise_exception=True)
def alert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    if not alert_can(request.user, alert, "edit"):
        messages.error(request, alert_problem(request.user, alert, "edit") or "You cannot edit this alert")
        return redirect("alerts_staff:detail", pk=alert.pk)
    update_of = _update_source(alert)
    if request.method != "POST":
        initial = {**AlertForm.initial_for(alert), **library.start_initial(request, update=update_of is not None)}
        form = AlertForm(user=request.user, alert=alert, update_of=update_of, initial=initial)
        return _composer(request, form, alert)
    form = AlertForm(request.POST, request.FILES, user=request.user, alert=alert, update_of=update_of)
    if "preview" in request.POST:
        return _composer(request, form, alert, _previews_from_post(request, alert))
    if (reused := library.composer_reuse(request, form)) is not None:
        return _composer(request, reused, alert)
    if form.is_valid() and (saved := _save(request, form, alert)) is not None:
        messages.success(request, f"Draft '{saved.title}' saved.")
        return redirect("alerts_staff:detail", pk=saved.pk)
    return _composer(request, form, alert)


# ----------------------------------------------------------------------------------------------- previews


def preview_context(
    *,
    title: str,
    body: str,
    priority: int,
    link_url: str,
    link_text: str,
    topic: str = "",
    alert: Alert | None = None,
    survey: Survey | None = None,
) -> dict[str, Any]:
    """What the email and the SMS would look like (the same for the composer and the alert's page). The email
    is the one residents get, from the same renderer (alerts.emails), with stand-ins for their own links; with
    `alert`, its saved image and documents (alerts.media) as residents will get them; with `survey`, the
    invitation with a preview link that cannot answer (surveys.invitations)."""
    text = sms_text(title=title, body_text=render_text(body), link_url=link_url)
    survey_link = invitation_preview_url(survey.pk) if survey is not None else ""
    if survey_link:
        text = f"{text}\nSurvey: {survey_link}"  # as delivery.messages.iter_sms adds each recipient's own
    encoding, length, segments = sms_segments(text)
    email = alert_email(
        force=Force.current(),
        language="en",
        title=title,
        body_html=str(render_html(body)),
        priority=priority,
        topic=topic,
        link_url=link_url,
        link_text=link_text,
        hrefs=lambda name: survey_link if name == "survey" else preview_hrefs(name),
        **(media.email_media(alert) if alert is not None else {}),
        survey_title=survey.title if survey is not None else "",
    )
    return {
        "title": title,
        "email": mark_safe(email.content_html),
        "priority": priority,
        "sms": {"text": text, "encoding": encoding, "length": length, "segments": segments},
    }


@require_POST
@permission_required("alerts.send_alert", raise_exception=True)
def alert_preview(request: HttpRequest) -> HttpResponse:
    """The previews as an HTML fragment, for the composer's Preview button (`?alert=<id>` when editing one,
    for its saved image and documents)."""
    alert_id = whole_number(request.GET.get("alert", ""))
    alert = alerts_for(request.user).filter(pk=alert_id).first() if alert_id is not None else None
    return render(request, "alerts/staff/_previews.html", {"previews": _previews_from_post(request, alert)})


# ----------------------------------------------------------------------------------------------- audience


def _json_error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_POST
def alert_audience(request: HttpRequest) -> JsonResponse:
    """The live count: {"targeting": {...}, "priority": n} in, the breakdown (or why it is empty) out.

    The same scope check as saving, so nobody can probe another division's numbers through it. For a targeting
    with a demographic group, only what `alerts.disclosure` allows: `withheld` says some figure is not shown
    (then `email` and `sms` are null), `subscribers` is null unless exact, and `subscribers_text` always says it.
    """
    if not request.user.has_perm("alerts.send_alert"):
        return _json_error("You do not have permission to send alerts", status=403)
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _json_error("The request was not valid JSON")
    if not isinstance(payload, dict):
        return _json_error("The request must be a JSON object")
    priority = payload.get("priority", Priority.NORMAL)
    if isinstance(priority, str) and whole_number(priority) is not None:
        priority = whole_number(priority)
    if isinstance(priority, bool) or priority not in Priority.values:
        return _json_error("Choose a priority")
    clip = None
    try:
        spec = spec_from_json(payload.get("targeting") or {})
        if not spec.targets_nobody:
            # Counted as it would be saved: drawn shapes cut to the officer's division (the cut part comes back
            # as GeoJSON in `clip`, for the map).
            spec, clip = shapes_clip(user=request.user, spec=spec)
            services.targeting_check_scope(user=request.user, spec=spec)
    except TargetingError as error:
        return _json_error(error.message)
    shown = audience_shown(spec=spec, priority=priority, n=disclosure.threshold(request)).as_json()
    return JsonResponse({**shown, "clip": clip.as_json() if clip else None})


# ----------------------------------------------------------------------------------------------- detail


def _names(model: Any, ids: list[int]) -> str:
    return ", ".join(model.objects.filter(pk__in=ids or []).order_by("name").values_list("name", flat=True))


def _shapes_words(shapes: list[dict[str, Any]]) -> str:
    """ "1 drawn polygon, a drawn circle of radius 300 m (over parts of Abbey, Brook)" """
    polygons = sum(1 for s in shapes if s.get("type") != "Circle")
    parts = [f"{polygons} drawn polygon{'s' if polygons != 1 else ''}"] if polygons else []
    for circle in (s for s in shapes if s.get("type") == "Circle"):
        radius = float(circle.get("radius_m") or 0)
        parts.append(f"a drawn circle of radius {f'{radius / 1000:g} km' if radius >= 1000 else f'{radius:g} m'}")
    if not parts:
        return ""
    # What an approver needs to know: which neighbourhoods the shapes reach into.
    names = sorted({name for item in shapes for _, name, _ in services.neighbourhoods_overlapping(geometry_of(item))})
    return ", ".join(parts) + (f" (over parts of {', '.join(names)})" if names else "")


def _areas_words(areas: dict[str, Any]) -> list[str]:
    lines = []
    if areas.get("whole_force"):
        lines.append("The whole force")
    if divisions := _names(Division, areas.get("divisions") or []):
        lines.append(f"Divisions: {divisions}")
    if neighbourhoods := _names(Neighbourhood, areas.get("neighbourhoods") or []):
        lines.append(f"Neighbourhoods: {neighbourhoods}")
    if shapes := _shapes_words(areas.get("shapes") or []):
        lines.append(shapes[0].upper() + shapes[1:])
    return lines


def _rules_words(rules: dict[str, list[str]], names: dict[str, str]) -> list[str]:
    labels = {"include": "Any of", "must": "All of", "exclude": "None of"}
    return [
        f"{labels[rule]}: {', '.join(names.get(v, v) for v in values)}"
        for rule, values in rules.items()
        if values and rule in labels
    ]


def targeting_in_words(targeting: dict[str, Any], *, update: str | None = None) -> list[tuple[str, list[str]]]:
    """The targeting as an officer would say it: (heading, lines), headings with nothing to say left out. An
    update says whose recipients it goes to (`update`: "Update to the N recipients of ...")."""
    if targeting.get("update_of"):
        names = {"email": "Email", "sms": "SMS"}
        by = " and ".join(names[c] for c in targeting.get("channels") or [] if c in names)
        return [("Recipients", [update or "The recipients of an earlier alert"]), ("Channels", [by or "None"])]
    interests = dict(Interest.objects.values_list("slug", "name"))
    answers = {value: label for _, _, choices in DEMOGRAPHICS for value, label in choices}
    dimensions = {dimension: label for dimension, label, _ in DEMOGRAPHICS}
    channels = {"email": "Email", "sms": "SMS"}
    sections = [
        ("Areas", _areas_words(targeting.get("areas") or {}) or ["None chosen"]),
        ("Leaving out", _areas_words(targeting.get("exclude_areas") or {})),
        ("Topics", _rules_words(targeting.get("topics") or {}, interests)),
        ("Interest groups", _rules_words(targeting.get("groups") or {}, interests)),
        (
            "Demographic groups",
            [
                f"{dimensions.get(dimension, dimension)}: {line}"
                for dimension, rules in sorted((targeting.get("demographics") or {}).items())
                for line in _rules_words(rules, answers)
            ],
        ),
        ("Channels", [" and ".join(channels[c] for c in targeting.get("channels") or [] if c in channels) or "None"]),
    ]
    return [(heading, lines) for heading, lines in sections if lines]


def _live_breakdown(request: HttpRequest, alert: Alert) -> dict[str, Any] | None:
    """The audience now, for an alert not yet sent (a sent alert shows the counts it was sent with)."""
    if alert.state in (Alert.State.SENDING, Alert.State.SENT, Alert.State.CANCELLED):
        return None
    try:
        spec = spec_from_json(alert.targeting)
    except TargetingError as error:
        return {"error": error.message}
    return {"shown": audience_shown(spec=spec, priority=alert.priority, n=disclosure.threshold(request))}


def _invited_survey(alert: Alert) -> Survey | None:
    invitation = SurveyInvitation.objects.filter(alert=alert).select_related("survey").first()
    return invitation.survey if invitation is not None else None


@permission_required("alerts.view_alert", raise_exception=True)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    history = AuditEntry.objects.filter(target_type=alert._meta.label_lower, target_id=str(alert.pk)).order_by(
        "at", "pk"
    )
    return render(
        request,
        "alerts/staff/alert_detail.html",
        {
            "alert": alert,
            "can": {action: alert_can(request.user, alert, action) for action in ACTIONS},
            "targeting_words": targeting_in_words(alert.targeting or {}, update=library.update_words(request, alert)),
            "live": _live_breakdown(request, alert),
            "counts": disclosure.alert_counts(alert, disclosure.threshold(request)),
            "previews": preview_context(
                title=alert.title,
                body=alert.body,
                priority=alert.priority,
                link_url=alert.link_url,
                link_text=alert.link_text,
                topic=alert.interest.name,
                alert=alert,
                survey=_invited_survey(alert),
            ),
            "image_src": media.image_url(alert),
            "attachments": [
                (a, media.attachment_url(a, alert), size_in_words(a.size)) for a in alert.attachments.all()
            ],
            "translations": [
                (dict(AlertForm.languages()).get(t.language, t.language), t, render_html(t.body))
                for t in alert.translations.all()
            ],
            "history": [(entry, _HISTORY_WORDS.get(entry.action, entry.action)) for entry in history],
            "panels": handoff.panels(),
            # The same figures, from the same read and template, as the list of alerts shows.
            "figures": handoff.figures([alert], n=disclosure.threshold(request)).get(alert.pk),
            "figures_template": handoff.figures_template(),
        },
    )


# ----------------------------------------------------------------------------------------------- actions


def _act(request: HttpRequest, pk: int, verb: str, **kwargs: Any) -> HttpResponse:
    alert, staff = _alert(request, pk), signed_in_staff(request)
    done = {
        "submit": lambda: services.alert_submit(alert=alert, actor=staff, request=request),
        "approve": lambda: services.alert_approve(alert=alert, approver=staff, request=request),
        "reject": lambda: services.alert_reject(alert=alert, approver=staff, request=request, **kwargs),
        "cancel": lambda: services.alert_cancel(alert=alert, actor=staff, request=request),
    }[verb]
    try:
        alert = done()
    except _ERRORS as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _DONE[verb](alert))
    return redirect(reverse("alerts_staff:detail", kwargs={"pk": alert.pk}))


def _submitted(alert: Alert) -> str:
    if alert.state == Alert.State.AWAITING_APPROVAL:
        return f"'{alert.title}' is waiting for someone to approve it."
    return f"'{alert.title}' is approved and will be sent {'at the time set' if alert.send_at else 'now'}."


_DONE = {
    "submit": _submitted,
    "approve": lambda alert: f"'{alert.title}' is approved.",
    "reject": lambda alert: f"'{alert.title}' was sent back to its author.",
    "cancel": lambda alert: f"'{alert.title}' is cancelled.",
}


@require_POST
@permission_required("alerts.view_alert", raise_exception=True)
def alert_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "submit")


@require_POST
@permission_required("alerts.view_alert", raise_exception=True)
def alert_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "approve")


@require_POST
@permission_required("alerts.view_alert", raise_exception=True)
def alert_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reject", reason=request.POST.get("reason", ""))


@require_POST
@permission_required("alerts.view_alert", raise_exception=True)
def alert_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "cancel")


# ----------------------------------------------------------------------------------------------- reuse


def _update_source(alert: Alert) -> Alert | None:
    """The sent alert a draft is an update to (None for any other draft)."""
    earlier_id = (alert.targeting or {}).get("update_of")
    return Alert.objects.filter(pk=earlier_id).select_related("interest").first() if earlier_id else None


@require_POST
@permission_required("alerts.send_alert", raise_exception=True)
def alert_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft of the same alert, by the user (services.alert_copy checks it is theirs to send)."""
    alert = _alert(request, pk)
    author = signed_in_staff(request)
    try:
        with transaction.atomic():
            copy = services.alert_copy(alert=alert, author=author, request=request)
            # The survey invitation too (surveys keeps it beside the alert, not in it).
            not_carried = invitation_copy(source=alert, alert=copy, actor=author, request=request)
    except _ERRORS as error:
        messages.error(request, f"The alert was not copied: {error.message}")
    except ValidationError as error:
        messages.error(request, f"The alert was not copied: {' '.join(error.messages)}")
    else:
        messages.success(request, f"Copied '{alert.title}' into a new draft: change what you need and save it.")
        if not_carried:
            messages.warning(request, not_carried)
        return redirect("alerts_staff:edit", pk=copy.pk)
    return redirect("alerts_staff:detail", pk=alert.pk)


@permission_required("alerts.send_alert", raise_exception=True)
def alert_send_update(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Send an update": compose a new draft to exactly the recipients of this sent alert."""
    earlier = _alert(request, pk)
    if problem := alert_problem(request.user, earlier, "update"):
        messages.error(request, problem)
        return redirect("alerts_staff:detail", pk=earlier.pk)
    return _compose_new(request, update_of=earlier)
