"""Writes to alerts: compose, edit, submit, approve, reject, cancel, dispatch (the lifecycle in models.py).

Every function checks who is acting (through `selectors.alert_problem`, the rules the UI also asks) and
where they may send (`targeting_check_scope`), changes the alert under a row lock, and writes the audit log
(`alerts.alert.<verb>`, the alert as target, counts and states only in `data`; an alert targeted at a
demographic group has its counts recorded only as `alerts.disclosure` allows them to be shown).

Errors, each with a `.message` a person can act on:
- `AlertPermissionError` (a PermissionDenied): the actor may not do this to this alert.
- `AlertStateError`: the alert is not in a state that allows it ("Only a draft can be edited").
- `TargetingError` (alerts.targeting): a bad spec, or one outside the actor's area.
- `django.core.exceptions.ValidationError` with a dict keyed by field name (title, body, interest, priority,
  link_url, link_text, expires_at, send_at, translations): a form can pass it to `form.add_error(None, e)`.

Sending: once approved (or submitted when no approval is needed), the dispatch task is queued after commit,
deferred to `send_at` on backends that can defer; on others `manage.py dispatch_due_alerts` (run it from cron
every minute) dispatches what is due. `alert_dispatch` is idempotent, so both may run.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.tasks import default_task_backend
from django.utils import timezone

from openbeat.alerts import disclosure, handoff
from openbeat.alerts.audience import Audience, TargetingSpec, audience_resolve, geometry_of
from openbeat.alerts.clipping import division_area, shapes_clip
from openbeat.alerts.models import Alert, AlertSettings, AlertTranslation, Priority
from openbeat.alerts.selectors import alert_problem, neighbourhoods_overlapping
from openbeat.alerts.targeting import TargetingError, spec_from_json, spec_to_json
from openbeat.areas.models import Division, Neighbourhood
from openbeat.audit.services import log_action
from openbeat.core.pagecache import public_content_changed
from openbeat.core.users import RequestUser, StaffUser
from openbeat.staff.scope import scope_for
from openbeat.subscriptions.models import Interest

logger = logging.getLogger(__name__)

# A stored drawn shape may stick out of the sender's division by this share of its own area. Composing and
# editing first cut shapes to the division (alerts.clipping), so this only allows for the rounding of a cut
# shape and for slivers too thin to cut; a shape clearly in another division is refused.
SHAPE_OUTSIDE_TOLERANCE = 0.01

MAX_BODY = 10_000
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "body",
        "interest",
        "priority",
        "targeting",
        "link_url",
        "link_text",
        "expires_at",
        "send_at",
        "translations",
    }
)


class AlertStateError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AlertPermissionError(PermissionDenied):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------------- targeting


def targeting_check_scope(*, user: RequestUser, spec: TargetingSpec) -> None:
    """Raise TargetingError unless `user` may send to every area `spec` names.

    Whole-force targeting needs `alerts.send_force_wide_alert` and force-wide scope. Division-scoped staff may
    name only their division(s) and neighbourhoods in them, and draw shapes only inside their division's area
    (the union of its neighbourhoods' boundaries; see SHAPE_OUTSIDE_TOLERANCE): alert_create and alert_update
    cut drawn shapes to it first (`clipping.shapes_clip`). Excluded areas only narrow an
    audience, so they are not checked. Unknown division or neighbourhood ids are refused for everyone.

    An update (`update_of`) goes where the alert it updates went: the user must be able to send an update to
    that alert (`selectors.alert_problem(..., "update")`).
    """
    if spec.update_of is not None:
        earlier = _update_source(spec)
        problem = alert_problem(user, earlier, "update") if earlier is not None else "The earlier alert is gone"
        if problem:
            raise TargetingError(problem)
        return
    areas = spec.areas
    known_divisions = set(Division.objects.filter(pk__in=areas.divisions).values_list("pk", flat=True))
    if areas.divisions - known_divisions:
        raise TargetingError("Some of the chosen divisions no longer exist")
    neighbourhood_divisions = dict(
        Neighbourhood.objects.filter(pk__in=areas.neighbourhoods).values_list("pk", "division_id")
    )
    if areas.neighbourhoods - neighbourhood_divisions.keys():
        raise TargetingError("Some of the chosen neighbourhoods no longer exist")
    scope = scope_for(user)
    if areas.whole_force:
        if not (scope.force_wide and user.has_perm("alerts.send_force_wide_alert")):
            raise TargetingError("You cannot send an alert to the whole force: choose divisions or neighbourhoods")
        return
    if scope.force_wide:
        return
    if scope.is_empty:
        raise TargetingError("Your account has no division, so you cannot target any area")
    if areas.divisions - scope.division_ids:
        raise TargetingError("You can only send alerts to your own division")
    if set(neighbourhood_divisions.values()) - scope.division_ids:
        raise TargetingError("You can only send alerts to neighbourhoods in your own division")
    if areas.shapes:
        allowed = division_area(scope.division_ids)
        for item in areas.shapes:
            geom = geometry_of(item)
            if geom.difference(allowed).area > SHAPE_OUTSIDE_TOLERANCE * geom.area:
                raise TargetingError("A drawn area goes outside your division: draw it inside your division")


def _divisions_touched(spec: TargetingSpec) -> set[int]:
    """The divisions a (non-whole-force) spec's areas lie in, shapes by the neighbourhoods they overlap."""
    areas = spec.areas
    found = set(areas.divisions)
    found |= set(Neighbourhood.objects.filter(pk__in=areas.neighbourhoods).values_list("division_id", flat=True))
    for item in areas.shapes:
        found |= {division for _, _, division in neighbourhoods_overlapping(geometry_of(item))}
    return found


def _update_source(spec: TargetingSpec) -> Alert | None:
    """The sent alert an update goes to the recipients of (None when `spec` is no update)."""
    if spec.update_of is None:
        return None
    return Alert.objects.select_related("division").filter(pk=spec.update_of).first()


def _force_wide(spec: TargetingSpec) -> bool:
    """Whole-force targeting, or an update of a whole-force alert (the same people: the same approval rules)."""
    earlier = _update_source(spec)
    return earlier.force_wide if earlier is not None else spec.areas.whole_force


def _owner_division(user: RequestUser, spec: TargetingSpec) -> int | None:
    scope = scope_for(user)
    if not scope.force_wide:
        # Division staff have one division (StaffProfile.division); the alert is theirs.
        return min(scope.division_ids) if scope.division_ids else None
    if (earlier := _update_source(spec)) is not None:
        return earlier.division_id
    if spec.areas.whole_force:
        return None
    touched = _divisions_touched(spec)
    return next(iter(touched)) if len(touched) == 1 else None


def approval_needed(*, alert: Alert, audience_size: int) -> bool:
    """Force-wide alerts always need a second person; others when they reach more than the threshold."""
    if alert.force_wide:
        return True
    return audience_size > AlertSettings.load().approval_threshold


# ---------------------------------------------------------------------------------------------- validation

_url = URLValidator(schemes=["http", "https"])


def _languages() -> dict[str, str]:
    return {code: name for code, name in settings.SUBSCRIBER_LANGUAGES if code != "en"}


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check the composed fields together; raise ValidationError keyed by field."""
    errors: dict[str, str] = {}
    clean = dict(values)
    clean["title"] = title = " ".join(str(values.get("title") or "").split())
    if not title:
        errors["title"] = "Enter a title"
    elif len(title) > 150:
        errors["title"] = "The title must be 150 characters or fewer"
    clean["body"] = body = str(values.get("body") or "").strip()
    if not body:
        errors["body"] = "Enter the message"
    elif len(body) > MAX_BODY:
        errors["body"] = f"The message must be {MAX_BODY:,} characters or fewer"
    interest = values.get("interest")
    if not isinstance(interest, Interest) or not interest.active:
        errors["interest"] = "Choose what the alert is about"
    try:
        clean["priority"] = int(values.get("priority"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        clean["priority"] = None
    if clean["priority"] not in Priority.values:
        errors["priority"] = "Choose a priority"
    clean["link_url"] = link_url = str(values.get("link_url") or "").strip()
    clean["link_text"] = link_text = " ".join(str(values.get("link_text") or "").split())
    if link_url:
        try:
            _url(link_url)
        except ValidationError:
            errors["link_url"] = "Enter a web address starting with https://"
        if len(link_url) > 200:
            errors["link_url"] = "The web address must be 200 characters or fewer"
    elif link_text:
        errors["link_url"] = "Enter the web address the link text is for"
    if len(link_text) > 80:
        errors["link_text"] = "The link text must be 80 characters or fewer"
    now = timezone.now()
    send_at: datetime | None = values.get("send_at")
    expires_at: datetime | None = values.get("expires_at")
    for name, when in (("send_at", send_at), ("expires_at", expires_at)):
        if when is not None and (not isinstance(when, datetime) or timezone.is_naive(when)):
            errors[name] = "Enter a date and time"
    if "expires_at" not in errors and expires_at is not None:
        if expires_at <= now:
            errors["expires_at"] = "The expiry time must be in the future"
        elif send_at is not None and "send_at" not in errors and expires_at <= send_at:
            errors["expires_at"] = "The expiry time must be after the time the alert is sent"
    translations = values.get("translations")
    if translations is not None:
        clean["translations"] = cleaned = {}
        languages = _languages()
        for language, pair in dict(translations).items():
            if language not in languages:
                errors["translations"] = f"Translations can only be in {', '.join(languages.values())}"
                break
            t_title, t_body = (" ".join(str(pair[0] or "").split()), str(pair[1] or "").strip())
            if not (t_title or t_body):
                continue  # an empty translation is no translation
            if not (t_title and t_body) or len(t_title) > 150 or len(t_body) > MAX_BODY:
                errors["translations"] = (
                    f"The {languages[language]} translation needs a title (150 characters or fewer) and a message"
                )
                break
            cleaned[language] = (t_title, t_body)
    if errors:
        raise ValidationError(errors)
    return clean


def _spec(targeting: Any) -> TargetingSpec:
    spec = spec_from_json(targeting)
    if spec.targets_nobody:
        raise TargetingError("Choose at least one area to send the alert to")
    return spec


def _set_translations(alert: Alert, translations: dict[str, tuple[str, str]]) -> None:
    AlertTranslation.objects.filter(alert=alert).exclude(language__in=translations).delete()
    for language, (title, body) in translations.items():
        AlertTranslation.objects.update_or_create(
            alert=alert, language=language, defaults={"title": title, "body": body}
        )


# ---------------------------------------------------------------------------------------------- lifecycle


def _locked(alert: Alert) -> Alert:
    """The alert re-read under a row lock (inside the caller's transaction), so two clicks cannot both act."""
    return Alert.objects.select_for_update(of=("self",)).select_related("division").get(pk=alert.pk)


def _check(user: RequestUser, alert: Alert, action: str) -> None:
    problem = alert_problem(user, alert, action)
    if problem is None:
        return
    # The state messages all begin "Only a/an ..."; the others are about who is acting.
    if problem.startswith(("Only a ", "Only an ")):
        raise AlertStateError(problem)
    raise AlertPermissionError(problem)


COUNT_FIELDS = [
    "audience_email",
    "audience_sms",
    "audience_subscribers",
    "audience_base_email",
    "audience_base_sms",
    "audience_base_subscribers",
]


def _counts(alert: Alert, audience: Audience, spec: TargetingSpec) -> dict[str, int | str]:
    """Keep the audience's counts on the alert (for a demographic group, also the same counts without the
    demographic rules, which `alerts.disclosure` compares them with); returns them as the audit log may hold
    them."""
    alert.audience_email = len(audience.email)
    alert.audience_sms = len(audience.sms)
    alert.audience_subscribers = audience.subscriber_count
    if disclosure.uses_demographics(spec):
        base = audience_resolve(disclosure.without_demographics(spec))
        alert.audience_base_email, alert.audience_base_sms = len(base.email), len(base.sms)
        alert.audience_base_subscribers = base.subscriber_count
    else:
        alert.audience_base_email = alert.audience_base_sms = alert.audience_base_subscribers = None
    return disclosure.alert_counts(alert).as_data()


def _schedule(alert: Alert) -> None:
    """Queue the dispatch task after commit: now, or deferred to send_at where the backend can defer."""
    from openbeat.alerts.tasks import alert_dispatch_task

    alert_id, send_at = alert.pk, alert.send_at
    if send_at is None or send_at <= timezone.now():
        transaction.on_commit(lambda: alert_dispatch_task.enqueue(alert_id))
    elif default_task_backend.supports_defer:
        transaction.on_commit(lambda: alert_dispatch_task.using(run_after=send_at).enqueue(alert_id))
    # Otherwise `manage.py dispatch_due_alerts` (cron) sends it once send_at has passed.


@transaction.atomic
def alert_create(
    *,
    author: StaffUser,
    title: str,
    body: str,
    interest: Interest,
    priority: int,
    targeting: dict[str, Any],
    link_url: str = "",
    link_text: str = "",
    expires_at: datetime | None = None,
    send_at: datetime | None = None,
    translations: dict[str, tuple[str, str]] | None = None,
    request: HttpRequest | None = None,
) -> Alert:
    """A new draft by `author`, owned by their division."""
    if author is None or not author.is_authenticated or not author.has_perm("alerts.send_alert"):
        raise AlertPermissionError("You do not have permission to send alerts")
    values = _clean(
        {
            "title": title,
            "body": body,
            "interest": interest,
            "priority": priority,
            "link_url": link_url,
            "link_text": link_text,
            "expires_at": expires_at,
            "send_at": send_at,
            "translations": translations or {},
        }
    )
    spec, _clip = shapes_clip(user=author, spec=_spec(targeting))
    targeting_check_scope(user=author, spec=spec)
    translations_clean = values.pop("translations")
    alert = Alert.objects.create(
        **values,
        targeting=spec_to_json(spec),
        force_wide=_force_wide(spec),
        division_id=_owner_division(author, spec),
        created_by=author,
    )
    _set_translations(alert, translations_clean)
    log_action(
        "alerts.alert.create",
        actor=author,
        target=alert,
        data={"state": alert.state, "force_wide": alert.force_wide, "priority": alert.priority},
        request=request,
    )
    return alert


@transaction.atomic
def alert_update(*, alert: Alert, editor: StaffUser, request: HttpRequest | None = None, **fields: Any) -> Alert:
    """Change a draft's fields (the same as alert_create's). `translations`, when given, is the full set:
    languages left out are removed."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"alert_update() got unexpected fields: {', '.join(sorted(unknown))}")
    alert = _locked(alert)
    _check(editor, alert, "edit")
    current = {name: getattr(alert, name) for name in EDITABLE_FIELDS - {"translations", "interest"}}
    current["interest"] = alert.interest
    values = _clean({**current, "translations": None, **fields})
    spec, _clip = shapes_clip(user=editor, spec=_spec(values.pop("targeting")))
    targeting_check_scope(user=editor, spec=spec)
    translations = values.pop("translations")
    changed = sorted(name for name in fields if name != "translations" and fields[name] != current.get(name))
    for name, value in values.items():
        setattr(alert, name, value)
    alert.targeting = spec_to_json(spec)
    alert.force_wide = _force_wide(spec)
    alert.division_id = _owner_division(editor, spec)
    alert.save()
    if translations is not None:
        _set_translations(alert, translations)
        changed.append("translations")
    log_action("alerts.alert.change", actor=editor, target=alert, data={"fields": changed}, request=request)
    return alert


def _recheck_and_count(
    alert: Alert, user: RequestUser, action: str, *, expired: str
) -> tuple[Alert, dict[str, int | str], Any]:
    """What submitting and approving both check again under the row lock (who, where, not expired), then the
    audience counted as it stands now."""
    alert = _locked(alert)
    _check(user, alert, action)
    spec = _spec(alert.targeting)
    targeting_check_scope(user=user, spec=spec)
    now = timezone.now()
    if alert.expires_at is not None and alert.expires_at <= now:
        raise AlertStateError(expired)
    return alert, _counts(alert, audience_resolve(spec), spec), now


@transaction.atomic
def alert_submit(*, alert: Alert, actor: StaffUser, request: HttpRequest | None = None) -> Alert:
    """A draft goes for approval, or straight to approved (and on its way) when none is needed."""
    alert, counts, now = _recheck_and_count(
        alert, actor, "submit", expired="This alert's expiry time has passed: change it before submitting"
    )
    # A count not shown exactly (a small demographic group) is taken at the top of the band shown, so whether
    # approval is needed tells nothing finer than the band (alerts.disclosure, rule 3).
    shown = disclosure.alert_counts(alert).subscribers
    size = shown.high if shown.high is not None else alert.audience_subscribers
    alert.needs_approval = approval_needed(alert=alert, audience_size=size)
    alert.submitted_at = now
    alert.rejection_reason = ""
    if alert.needs_approval:
        alert.state = Alert.State.AWAITING_APPROVAL
    else:
        alert.state = Alert.State.APPROVED
        alert.approved_at = now
    alert.save()
    log_action(
        "alerts.alert.submit",
        actor=actor,
        target=alert,
        data={"state": alert.state, "needs_approval": alert.needs_approval, **counts},
        request=request,
    )
    if alert.state == Alert.State.APPROVED:
        _schedule(alert)
    return alert


@transaction.atomic
def alert_approve(*, alert: Alert, approver: StaffUser, request: HttpRequest | None = None) -> Alert:
    alert, counts, now = _recheck_and_count(
        alert, approver, "approve", expired="This alert's expiry time has passed: reject it so the author can change it"
    )
    alert.state = Alert.State.APPROVED
    alert.approved_by = approver
    alert.approved_at = now
    alert.save()
    log_action(
        "alerts.alert.approve", actor=approver, target=alert, data={"state": alert.state, **counts}, request=request
    )
    _schedule(alert)
    return alert


@transaction.atomic
def alert_reject(*, alert: Alert, approver: StaffUser, reason: str, request: HttpRequest | None = None) -> Alert:
    """Back to its author as a draft, with the reason (which the author sees; not copied to the audit log)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the alert is being sent back"})
    alert = _locked(alert)
    _check(approver, alert, "reject")
    alert.state = Alert.State.DRAFT
    alert.rejection_reason = reason
    alert.submitted_at = None
    alert.save()
    log_action("alerts.alert.reject", actor=approver, target=alert, data={"state": alert.state}, request=request)
    return alert


@transaction.atomic
def alert_cancel(*, alert: Alert, actor: StaffUser, request: HttpRequest | None = None) -> Alert:
    alert = _locked(alert)
    _check(actor, alert, "cancel")
    previous = alert.state
    alert.state = Alert.State.CANCELLED
    alert.cancelled_by = actor
    alert.cancelled_at = timezone.now()
    alert.save()
    log_action(
        "alerts.alert.cancel", actor=actor, target=alert, data={"state": alert.state, "from": previous}, request=request
    )
    return alert


@transaction.atomic
def alert_copy(*, alert: Alert, author: StaffUser, request: HttpRequest | None = None) -> Alert:
    """A new draft by `author` with the alert's words, topic, priority, link, targeting and translations (not its
    schedule, expiry or state), owned and checked as any new draft of theirs: another division's areas are
    refused (TargetingError), as is an interest no longer in use (ValidationError)."""
    problem = alert_problem(author, alert, "copy")
    if problem:
        raise AlertPermissionError(problem)
    copy = alert_create(
        author=author,
        title=alert.title,
        body=alert.body,
        interest=alert.interest,
        priority=alert.priority,
        targeting=alert.targeting,
        link_url=alert.link_url,
        link_text=alert.link_text,
        translations={t.language: (t.title, t.body) for t in alert.translations.all()},
        request=request,
    )
    log_action("alerts.alert.copy", actor=author, target=copy, data={"copied_from": alert.pk}, request=request)
    return copy


# ---------------------------------------------------------------------------------------------- dispatch


def _system_cancel(alert_id: int, reason: str) -> None:
    now = timezone.now()
    if Alert.objects.filter(pk=alert_id, state=Alert.State.APPROVED).update(
        state=Alert.State.CANCELLED, cancelled_at=now, updated_at=now
    ):
        public_content_changed()  # an UPDATE sends no signal; the archive must not show it as current
        alert = Alert.objects.get(pk=alert_id)
        log_action("alerts.alert.cancel", actor=None, target=alert, data={"state": alert.state, "reason": reason})
        logger.info("alert %s cancelled by the system: %s", alert_id, reason)


def alert_dispatch(*, alert_id: int) -> Alert:
    """Send an approved alert whose time has come. Idempotent: safe to run twice, late, or for a cancelled
    alert (which is left alone). An alert past its expiry time is cancelled instead (reason "expired").

    The approved -> sending step is a conditional UPDATE, so of two workers only one takes the alert; the
    resolution and the hand-off run in the same transaction, so if the pipeline fails the alert is approved
    again and the next `dispatch_due_alerts` retries it.
    """
    now = timezone.now()
    alert = Alert.objects.get(pk=alert_id)
    if alert.state != Alert.State.APPROVED or (alert.send_at is not None and alert.send_at > now):
        return alert
    if alert.expires_at is not None and alert.expires_at <= now:
        _system_cancel(alert_id, "expired")
        return Alert.objects.get(pk=alert_id)
    try:
        spec = _spec(alert.targeting)
    except TargetingError:
        # Only if the world changed under an approved alert (e.g. an interest was deleted).
        _system_cancel(alert_id, "targeting no longer valid")
        return Alert.objects.get(pk=alert_id)
    with transaction.atomic():
        taken = Alert.objects.filter(pk=alert_id, state=Alert.State.APPROVED).update(
            state=Alert.State.SENDING, sending_at=now, updated_at=now
        )
        if not taken:
            return Alert.objects.get(pk=alert_id)
        alert = Alert.objects.select_related("division").get(pk=alert_id)
        audience = audience_resolve(spec)
        counts = _counts(alert, audience, spec)
        alert.save(update_fields=[*COUNT_FIELDS, "updated_at"])
        log_action("alerts.alert.dispatch", actor=None, target=alert, data={"state": alert.state, **counts})
        pipeline = handoff.installed()
        if pipeline is not None:
            pipeline(alert=alert, audience=audience)
            return alert
        logger.warning("no delivery pipeline installed: alert %s marked sent without delivery", alert_id)
        return alert_mark_sent(alert=alert)


def alert_mark_sent(*, alert: Alert) -> Alert:
    """sending -> sent; the delivery pipeline calls this once every message is handed to its transport."""
    now = timezone.now()
    if Alert.objects.filter(pk=alert.pk, state=Alert.State.SENDING).update(
        state=Alert.State.SENT, sent_at=now, updated_at=now
    ):
        alert.state, alert.sent_at = Alert.State.SENT, now
        public_content_changed()  # now in the public archive and on the home page (an UPDATE sends no signal)
        log_action(
            "alerts.alert.sent",
            actor=None,
            target=alert,
            data={"state": alert.state, **disclosure.alert_counts(alert).as_data()},
        )
    return alert


def alerts_due() -> list[int]:
    """Ids of approved alerts whose send time has come (or that have none): what cron dispatches."""
    now = timezone.now()
    from django.db.models import Q

    return list(
        Alert.objects.filter(Q(send_at__isnull=True) | Q(send_at__lte=now), state=Alert.State.APPROVED)
        .order_by("send_at", "pk")
        .values_list("pk", flat=True)
    )
