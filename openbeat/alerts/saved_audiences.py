"""Saved audiences: a named targeting (the same JSON as `Alert.targeting`) saved from the composer and picked in it
again to fill the targeting.

A saved audience belongs to a division, as alerts do (`services._owner_division`): division staff see their
division's, force-wide staff every one. Its count is never kept: the composer counts it again whenever it is
used. The world changes under a saved targeting (a neighbourhood or division deleted, an interest no longer in
use, a drawn shape now outside the user's division): `saved_audience_problem` says so in a sentence, which its
list and the composer show instead of failing, and such an audience is not applied.

Writes check who is acting and write the audit log (`alerts.savedaudience.<verb>`, the audience as target).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from openbeat.alerts.audience import AreaSet, TargetingSpec
from openbeat.alerts.clipping import shapes_clip
from openbeat.alerts.models import SavedAudience
from openbeat.alerts.services import AlertPermissionError, _owner_division, targeting_check_scope
from openbeat.alerts.targeting import TargetingError, spec_from_json, spec_to_json
from openbeat.areas.models import Division, Neighbourhood
from openbeat.audit.services import log_action
from openbeat.core.users import RequestUser, StaffUser
from openbeat.staff.scope import scope_for
from openbeat.subscriptions.models import Interest


def saved_audiences_for(user: RequestUser) -> QuerySet[SavedAudience]:
    """The saved audiences `user` may see and use: their division's (force-wide staff: all)."""
    if user is None or not user.is_authenticated or not user.has_perm("alerts.send_alert"):
        return SavedAudience.objects.none()
    scope = scope_for(user)
    audiences = SavedAudience.objects.select_related("division", "created_by")
    return audiences if scope.force_wide else audiences.filter(division__in=scope.division_ids)


def _missing_areas(areas: AreaSet) -> str | None:
    if areas.divisions - set(Division.objects.filter(pk__in=areas.divisions).values_list("pk", flat=True)):
        return "Some of its divisions no longer exist"
    if areas.neighbourhoods - set(
        Neighbourhood.objects.filter(pk__in=areas.neighbourhoods).values_list("pk", flat=True)
    ):
        return "Some of its neighbourhoods no longer exist"
    return None


def _check(spec: TargetingSpec, user: RequestUser) -> None:
    """TargetingError unless `user` may use this targeting now."""
    if spec.update_of is not None:
        raise TargetingError("An update's audience is the earlier alert's recipients: it cannot be saved")
    if spec.targets_nobody:
        raise TargetingError("Choose at least one area to send the alert to")
    for areas in (spec.areas, spec.exclude_areas):
        if missing := _missing_areas(areas):
            raise TargetingError(missing)
    named = set().union(*(rule.include | rule.must | rule.exclude for rule in (spec.topics, spec.groups)))
    retired = sorted(Interest.objects.filter(slug__in=named, active=False).values_list("name", flat=True))
    if retired:
        raise TargetingError(f"No longer in use: {', '.join(retired)}")
    targeting_check_scope(user=user, spec=spec)


def saved_audience_problem(*, audience: SavedAudience, user: RequestUser) -> str | None:
    """Why this saved audience cannot be used by `user` now, in a sentence; None when it can."""
    try:
        _check(spec_from_json(audience.targeting), user)
    except TargetingError as error:
        return error.message
    return None


@transaction.atomic
def saved_audience_create(
    *, actor: StaffUser, name: str, targeting: dict[str, Any], request: HttpRequest | None = None
) -> SavedAudience:
    """Save `targeting` (checked as a draft's is, drawn shapes cut to a division officer's division) as `name`.

    ValidationError({"name": ...}) for a missing or taken name; TargetingError for a targeting `actor` cannot
    use."""
    if actor is None or not actor.is_authenticated or not actor.has_perm("alerts.send_alert"):
        raise AlertPermissionError("You do not have permission to send alerts")
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": "Enter a name for the audience"})
    if len(name) > 100:
        raise ValidationError({"name": "The name must be 100 characters or fewer"})
    spec, _clip = shapes_clip(user=actor, spec=spec_from_json(targeting))
    _check(spec, actor)
    division = _owner_division(actor, spec)
    same_name = SavedAudience.objects.filter(name__iexact=name)
    same_name = same_name.filter(division__isnull=True) if division is None else same_name.filter(division=division)
    if same_name.exists():
        raise ValidationError({"name": f"There is already a saved audience called '{name}': choose another name"})
    audience = SavedAudience.objects.create(
        name=name, targeting=spec_to_json(spec), division_id=division, created_by=actor
    )
    log_action("alerts.savedaudience.create", actor=actor, target=audience, data={"name": name}, request=request)
    return audience


@transaction.atomic
def saved_audience_delete(*, audience: SavedAudience, actor: StaffUser, request: HttpRequest | None = None) -> None:
    if not saved_audiences_for(actor).filter(pk=audience.pk).exists():
        raise AlertPermissionError("This saved audience is outside your division")
    log_action(
        "alerts.savedaudience.delete", actor=actor, target=audience, data={"name": audience.name}, request=request
    )
    audience.delete()
