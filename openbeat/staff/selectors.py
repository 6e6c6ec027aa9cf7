"""Reads for staff's own pages and the parts of other pages staff provides: a neighbourhood's public team, and
the audit entries a member of staff may read (the audit browser, staff.audit_browser)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openbeat.areas.models import Neighbourhood
from openbeat.audit.models import AuditEntry
from openbeat.audit.selectors import audit_entries
from openbeat.staff.models import TeamMembership
from openbeat.staff.scope import scope_for


def neighbourhood_team(neighbourhood: Neighbourhood) -> QuerySet[TeamMembership]:
    """The neighbourhood's officers who are shown to the public, in the team's order."""
    return (
        TeamMembership.objects.filter(neighbourhood=neighbourhood, officer__public=True)
        .select_related("officer", "officer__photo")
        .order_by("sort_order", "officer__name")
    )


def neighbourhood_team_section(neighbourhood: Neighbourhood) -> dict[str, Any]:
    """The neighbourhood page's team section (registered with areas.sections in StaffConfig.ready)."""
    return {"team": neighbourhood_team(neighbourhood)}


def audit_entries_for(user: Any, *, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The entries `user` may read (their divisions' only, or every entry when force-wide), narrowed by the
    browser's filters (all optional)."""
    return scope_for(user).filter(audit_entries(filters=filters), "division")
