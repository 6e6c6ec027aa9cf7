"""The one place that decides which divisions a staff user may see and change.

Every later app filters its querysets and checks its objects through `scope_for(user)`; nothing else
should look at a user's division directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from openbeat.core.users import RequestUser

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    force_wide: bool
    division_ids: frozenset[int]
    neighbourhood_ids: frozenset[int]

    def filter(self, queryset: QuerySet[M], field: str = "division") -> QuerySet[M]:
        """Limit `queryset` to rows whose `field` (a Division FK path) is in scope."""
        if self.force_wide:
            return queryset
        return queryset.filter(**{f"{field}__in": self.division_ids})

    def allows_division(self, division: Any) -> bool:
        if self.force_wide:
            return True
        division_id = getattr(division, "pk", division)
        return division_id is not None and division_id in self.division_ids

    def allows(self, obj: Any, field: str = "division") -> bool:
        """Whether `obj` (anything with a division, or a neighbourhood) is inside this scope.

        `field` is the same Division path as for `filter`; "pk" means `obj` is a Division itself.
        """
        if self.force_wide:
            return True
        *path, last = field.split("__")
        for part in path:
            obj = getattr(obj, part, None)
            if obj is None:
                return False
        division_id = obj.pk if last == "pk" else getattr(obj, f"{last}_id", None)
        return division_id is not None and division_id in self.division_ids

    @property
    def is_empty(self) -> bool:
        return not self.force_wide and not self.division_ids


NOTHING = Scope(force_wide=False, division_ids=frozenset(), neighbourhood_ids=frozenset())


def scope_for(user: RequestUser) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_openbeat_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser or user.has_perm("staff.force_wide"):
        scope = Scope(force_wide=True, division_ids=frozenset(), neighbourhood_ids=frozenset())
    else:
        from openbeat.staff.models import StaffProfile

        profile = StaffProfile.objects.filter(user=user).first()
        if profile is None or profile.division_id is None:
            scope = NOTHING
        else:
            scope = Scope(
                force_wide=False,
                division_ids=frozenset({profile.division_id}),
                neighbourhood_ids=frozenset(profile.neighbourhoods.values_list("pk", flat=True)),
            )
    user._openbeat_scope = scope  # type: ignore[attr-defined]  # cached on the request's user object
    return scope
