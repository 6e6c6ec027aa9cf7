"""Reads of alerts, and the one place that decides what a staff user may do with an alert.

Who may do what (the UI asks `alert_can`; the services enforce the same rules through `alert_problem`):

- view:    `alerts.view_alert`, and the alert is in the user's scope (its division; alerts owned by no
           division, i.e. by force-wide staff, only for force-wide staff).
- edit, submit: a draft, by its author, who still has `alerts.send_alert` and the alert still in scope.
           Drafts are personal: a colleague who wants changes asks, or cancels it.
- approve, reject: awaiting approval, `alerts.approve_alert`, in scope (alerts to the whole force or owned
           by no division need a force-wide approver), and not the author (no self-approval).
- cancel:  not yet sending, by the author (with `alerts.send_alert`) or by anyone who could approve it.
- copy:    `alerts.send_alert` and the alert in view (the copy's targeting is then checked against the copier's
           scope, as any new draft's is).
- update:  "Send an update" to a sent alert's recipients: as copy, and an alert to the whole force only by
           someone who may send to the whole force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import shapely
from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from shapely.geometry import shape

from openbeat.alerts.audience import geometry_of
from openbeat.alerts.models import Alert
from openbeat.alerts.targeting import TargetingError, spec_from_json
from openbeat.areas.models import Division, Neighbourhood
from openbeat.core.models import Force
from openbeat.core.users import RequestUser
from openbeat.staff.scope import scope_for

ACTIONS = ("view", "edit", "submit", "approve", "reject", "cancel", "copy", "update")


def alerts_for(user: RequestUser) -> QuerySet[Alert]:
    """The alerts a staff user may see: their division's (force-wide staff: all)."""
    if user is None or not user.is_authenticated or not user.has_perm("alerts.view_alert"):
        return Alert.objects.none()
    scope = scope_for(user)
    queryset = Alert.objects.select_related("interest", "division", "created_by", "approved_by")
    if scope.force_wide:
        return queryset
    return queryset.filter(division__in=scope.division_ids)


def published_alerts() -> QuerySet[Alert]:
    """Sent alerts, newest first, for the public archive. An alert still being delivered (some recipients held
    for the morning or their quiet hours) is already public: its links in messages must work."""
    return (
        Alert.objects.filter(state__in=[Alert.State.SENDING, Alert.State.SENT])
        .annotate(published_at=Coalesce("sent_at", "sending_at"))
        .select_related("interest", "division")
        .order_by("-published_at", "-pk")
    )


def _in_scope(user: RequestUser, alert: Alert) -> bool:
    scope = scope_for(user)
    if scope.force_wide:
        return True
    if alert.force_wide or alert.division_id is None:
        return False
    return scope.allows_division(alert.division_id)


def _is_author(user: RequestUser, alert: Alert) -> bool:
    return alert.created_by_id is not None and alert.created_by_id == user.pk


def alert_problem(user: RequestUser, alert: Alert, action: str) -> str | None:
    """Why `user` may not do `action` to `alert` (a sentence for them), or None when they may."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown alert action {action!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return "You need to sign in"
    if action == "view":
        if not user.has_perm("alerts.view_alert") or not _in_scope(user, alert):
            return "This alert is outside your division"
        return None
    if action in ("edit", "submit"):
        if alert.state != Alert.State.DRAFT:
            return "Only a draft can be edited" if action == "edit" else "Only a draft can be submitted"
        return _author_problem(user, alert) or None
    if action in ("copy", "update"):
        return _reuse_problem(user, alert, action)
    if action in ("approve", "reject"):
        if alert.state != Alert.State.AWAITING_APPROVAL:
            return f"Only an alert awaiting approval can be {'approved' if action == 'approve' else 'rejected'}"
        return _approver_problem(user, alert)
    # cancel
    if not alert.is_cancellable:
        return "Only an alert that has not started sending can be cancelled"
    if _author_problem(user, alert) is None:
        return None
    if _approver_problem(user, alert) is None:
        return None
    return "Only the author, or someone who could approve it, can cancel this alert"


def _author_problem(user: RequestUser, alert: Alert) -> str | None:
    if not user.has_perm("alerts.send_alert"):
        return "You do not have permission to send alerts"
    if not _is_author(user, alert):
        return "Only the author can change or submit this draft"
    if not _in_scope(user, alert):
        return "This alert is outside your division"
    return None


def _reuse_problem(user: RequestUser, alert: Alert, action: str) -> str | None:
    if action == "update" and alert.state != Alert.State.SENT:
        return "Only an alert that has been sent can be followed by an update"
    if not user.has_perm("alerts.send_alert"):
        return "You do not have permission to send alerts"
    if not user.has_perm("alerts.view_alert") or not _in_scope(user, alert):
        return "This alert is outside your division"
    if action == "update" and alert.force_wide and not user.has_perm("alerts.send_force_wide_alert"):
        return "Only staff who can send to the whole force can send an update to this alert"
    return None


def _approver_problem(user: RequestUser, alert: Alert) -> str | None:
    if not user.has_perm("alerts.approve_alert"):
        return "You do not have permission to approve alerts"
    if _is_author(user, alert):
        return "You cannot approve your own alert: someone else must approve it"
    if not _in_scope(user, alert):
        if alert.force_wide or alert.division_id is None:
            return "Only force-wide staff can approve an alert to the whole force"
        return "This alert is outside your division"
    return None


def alert_can(user: RequestUser, alert: Alert, action: str) -> bool:
    """Whether `user` may `action` ("view", "edit", "submit", "approve", "reject", "cancel") this alert."""
    return alert_problem(user, alert, action) is None


# ---------------------------------------------------------------------------------------------- the areas by name


def neighbourhoods_overlapping(geom: Any) -> list[tuple[int, str, int]]:
    """(id, name, division id) of the neighbourhoods a shape overlaps (more than touching), by name."""
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    candidates = Neighbourhood.objects.filter(
        boundary__isnull=False, min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat
    ).values_list("pk", "name", "division_id", "boundary")
    shapely.prepare(geom)
    found = [
        (pk, name, division)
        for pk, name, division, boundary in candidates
        if geom.intersects(boundary_shape := shape(boundary)) and geom.intersection(boundary_shape).area > 0
    ]
    return sorted(found, key=lambda row: row[1])


@dataclass(frozen=True)
class Coverage:
    """Where an alert was for: ids for filtering, and `places`, the areas by name for people to read
    (divisions, neighbourhoods, and "a drawn area in ..." naming the neighbourhoods a shape overlaps; never
    coordinates)."""

    whole_force: bool
    division_ids: frozenset[int]
    neighbourhood_ids: frozenset[int]
    places: tuple[str, ...]

    def covers(self, *, division_id: int | None = None, neighbourhood_id: int | None = None) -> bool:
        if self.whole_force:
            return True
        if division_id is not None and division_id not in self.division_ids:
            return False
        return neighbourhood_id is None or neighbourhood_id in self.neighbourhood_ids


def _names(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _division_label(name: str) -> str:
    return name if name.lower().endswith("division") else f"{name} division"


def _coverage(targeting: Any, depth: int = 0) -> Coverage:
    if isinstance(targeting, dict) and targeting.get("update_of") and depth < 10:
        # An update was for where the alert it updates was for.
        earlier = Alert.objects.filter(pk=targeting["update_of"]).values_list("targeting", flat=True).first()
        return _coverage(earlier, depth + 1)
    try:
        # Only the areas matter here: an interest deleted since sending must not break the archive.
        areas = spec_from_json({"areas": (targeting or {}).get("areas")}).areas
    except (TargetingError, AttributeError):
        return Coverage(False, frozenset(), frozenset(), ())
    if areas.whole_force:
        return Coverage(True, frozenset(), frozenset(), (f"Everywhere in the {Force.current().name} area",))
    divisions = list(Division.objects.filter(pk__in=areas.divisions).values_list("pk", "name"))
    named = list(
        Neighbourhood.objects.filter(pk__in=areas.neighbourhoods)
        .order_by("name")
        .values_list("pk", "name", "division_id")
    )
    inherited = Neighbourhood.objects.filter(division__in=areas.divisions).values_list("pk", "division_id")
    places = [_division_label(name) for _, name in divisions] + [name for _, name, _ in named]
    neighbourhood_ids = {pk for pk, _, _ in named} | {pk for pk, _ in inherited}
    division_ids = {pk for pk, _ in divisions} | {division for _, _, division in named}
    for item in areas.shapes:
        overlapped = neighbourhoods_overlapping(geometry_of(item))
        places.append(f"A drawn area in {_names([n for _, n, _ in overlapped])}" if overlapped else "A drawn area")
        neighbourhood_ids |= {pk for pk, _, _ in overlapped}
        division_ids |= {division for _, _, division in overlapped}
    return Coverage(False, frozenset(division_ids), frozenset(neighbourhood_ids), tuple(places))


def _cache_key(pk: int, updated_at: Any) -> str:
    return f"alerts:coverage:1:{pk}:{updated_at.timestamp() if updated_at else 0}"


def alert_coverage(alert: Alert) -> Coverage:
    """Where an alert was for (cached per version of the alert: shapes need geometry)."""
    key = _cache_key(alert.pk, alert.updated_at)
    coverage = cache.get(key)
    if coverage is None:
        coverage = _coverage(alert.targeting)
        cache.set(key, coverage, 24 * 3600)
    return coverage


def alerts_covering(
    queryset: QuerySet[Alert], *, division: Division | None = None, neighbourhood: Neighbourhood | None = None
) -> QuerySet[Alert]:
    """Those of `queryset` whose areas include `division` / `neighbourhood` (a whole-force alert includes all)."""
    if division is None and neighbourhood is None:
        return queryset
    rows = list(queryset.values_list("pk", "targeting", "updated_at"))
    cached = cache.get_many([_cache_key(pk, updated) for pk, _, updated in rows])
    keep = []
    for pk, targeting, updated in rows:
        key = _cache_key(pk, updated)
        coverage = cached.get(key)
        if coverage is None:
            coverage = _coverage(targeting)
            cache.set(key, coverage, 24 * 3600)
        division_id = division.pk if division is not None else None
        neighbourhood_id = neighbourhood.pk if neighbourhood is not None else None
        if coverage.covers(division_id=division_id, neighbourhood_id=neighbourhood_id):
            keep.append(pk)
    return queryset.filter(pk__in=keep)


def latest_public_alerts(limit: int = 3) -> list[dict[str, Any]]:
    """The newest alerts of the public archive (`published_alerts`), for the home page: title, address, when
    it was sent and where it was for (area names)."""
    return [
        {
            "title": alert.title,
            "url": alert.get_absolute_url(),
            "published_at": alert.published_at,  # type: ignore[attr-defined]
            "places": alert_coverage(alert).places,
            "priority": alert.priority,
            "priority_label": alert.get_priority_display(),
        }
        for alert in published_alerts()[:limit]
    ]
