"""Writes: a division's month of counts, a file of counts, and opportunities. Each checks the staff user's
permission and division scope itself (views are thin) and writes the audit log."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from openbeat.areas.models import Division
from openbeat.audit.services import log_action
from openbeat.core.users import RequestUser
from openbeat.staff.scope import scope_for
from openbeat.volunteers import importers
from openbeat.volunteers.models import ImportBatch, Opportunity, Role, VolunteerCount

MANAGE_COUNTS = "volunteers.manage_counts"
MANAGE_OPPORTUNITY = "volunteers.manage_opportunity"


def counts_can_manage(user: RequestUser, division: Division | None) -> bool:
    """Whether `user` may enter or import counts for `division` (None: any division, i.e. force-wide)."""
    if user is None or not user.is_authenticated or not user.has_perm(MANAGE_COUNTS):
        return False
    scope = scope_for(user)
    return scope.force_wide if division is None else scope.allows_division(division)


def opportunity_can_manage(user: RequestUser, opportunity: Opportunity | None, division: Division | None) -> bool:
    """Division staff manage their division's opportunities; force-wide ones are for force-wide staff only."""
    if user is None or not user.is_authenticated or not user.has_perm(MANAGE_OPPORTUNITY):
        return False
    scope = scope_for(user)
    for target in (opportunity.division if opportunity is not None else division, division):
        if target is None and not scope.force_wide:
            return False
        if target is not None and not scope.allows_division(target):
            return False
    return True


def month_counts_save(
    *,
    division: Division,
    month: datetime.date,
    values: dict[str, dict[str, int]],
    user: RequestUser,
    request: HttpRequest | None = None,
) -> list[VolunteerCount]:
    """Save a division's counts for one month: `values` is {role: {"headcount", "joiners", "leavers"}}.

    A role left out of `values` keeps whatever it had (a division with no mini police enters nothing for them).
    """
    if not counts_can_manage(user, division):
        raise PermissionDenied("You cannot enter counts for this division")
    month = month.replace(day=1)
    saved = []
    with transaction.atomic():
        for role, figures in values.items():
            if role not in Role.values:
                raise ValueError(f"Unknown role {role!r}")
            count, _ = VolunteerCount.objects.update_or_create(
                division=division,
                month=month,
                role=role,
                defaults={
                    "headcount": figures["headcount"],
                    "joiners": figures.get("joiners", 0),
                    "leavers": figures.get("leavers", 0),
                    "source": VolunteerCount.Source.ENTERED,
                    "entered_by": user if user.is_authenticated else None,
                    "batch": None,
                },
            )
            saved.append(count)
        log_action(
            "volunteers.counts.save",
            actor=user,
            request=request,
            division=division,
            data={"month": f"{month:%Y-%m}", "roles": {role: dict(v) for role, v in values.items()}},
        )
    return saved


def counts_import(
    *,
    data: bytes,
    file_name: str,
    user: RequestUser | None,
    via: str = ImportBatch.Via.UPLOAD,
    request: HttpRequest | None = None,
    today: datetime.date | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> ImportBatch:
    """Import a file of counts: every good line is saved, every bad one recorded by its line number.

    `user` None is the management command (run by someone with the server's shell: every division). A staff
    user may import only their own division's lines; others are bad lines saying so. Raises
    importers.CountsFileError when the file as a whole cannot be read (nothing is saved then).
    """
    if user is not None and not (user.is_authenticated and user.has_perm(MANAGE_COUNTS)):
        raise PermissionDenied("You cannot import counts")
    today = today or timezone.localdate()
    divisions = {d.code: d for d in Division.objects.all()}
    lines = importers.file_lines(data, file_name)
    parsed = importers.parse(lines, division_codes=set(divisions), today=today)
    errors = list(parsed.errors)
    allowed = []
    for row in parsed.rows:
        if user is not None and not counts_can_manage(user, divisions[row.division_code]):
            errors.append((row.line, f"you cannot enter counts for division '{row.division_code}'"))
        else:
            allowed.append(row)
    errors.sort()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            file_name=file_name[:255],
            via=via,
            uploaded_by=user if user is not None and user.is_authenticated else None,
            rows_ok=len(allowed),
            rows_bad=len(errors),
            errors=[{"line": line, "message": message} for line, message in errors],
        )
        rows = progress(allowed) if progress is not None else allowed
        for row in rows:
            VolunteerCount.objects.update_or_create(
                division=divisions[row.division_code],
                month=row.month,
                role=row.role,
                defaults={
                    "headcount": row.headcount,
                    "joiners": row.joiners,
                    "leavers": row.leavers,
                    "source": VolunteerCount.Source.IMPORTED,
                    "entered_by": batch.uploaded_by,
                    "batch": batch,
                },
            )
        log_action(
            "volunteers.counts.import",
            actor=user,
            target=batch,
            request=request,
            data={"file": batch.file_name, "rows_ok": batch.rows_ok, "rows_bad": batch.rows_bad, "via": via},
        )
    return batch


def _free_slug(title: str) -> str:
    base = slugify(title)[:70] or "opportunity"
    slug, n = base, 2
    while Opportunity.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


_FIELDS = ("title", "role", "summary", "body", "division", "closes_on", "live")


def opportunity_create(*, user: RequestUser, request: HttpRequest | None = None, **values: Any) -> Opportunity:
    if not opportunity_can_manage(user, None, values.get("division")):
        raise PermissionDenied("You cannot add an opportunity there")
    with transaction.atomic():
        opportunity = Opportunity.objects.create(
            slug=_free_slug(values["title"]),
            created_by=user if user.is_authenticated else None,
            **{k: values.get(k) for k in _FIELDS if k in values},
        )
        log_action(
            "volunteers.opportunity.create",
            actor=user,
            target=opportunity,
            request=request,
            division=opportunity.division,
            data={"title": opportunity.title, "live": opportunity.live},
        )
    return opportunity


def opportunity_update(
    *, opportunity: Opportunity, user: RequestUser, request: HttpRequest | None = None, **values: Any
) -> Opportunity:
    if not opportunity_can_manage(user, opportunity, values.get("division", opportunity.division)):
        raise PermissionDenied("You cannot change this opportunity")
    changed = [k for k in _FIELDS if k in values and getattr(opportunity, k) != values[k]]
    for name in changed:
        setattr(opportunity, name, values[name])
    with transaction.atomic():
        opportunity.save()
        log_action("volunteers.opportunity.update", actor=user, target=opportunity, request=request,
                   division=opportunity.division, data={"changed": changed, "live": opportunity.live})  # fmt: skip
    return opportunity
