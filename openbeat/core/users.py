"""The type of a staff login, for every layer's signatures, and how one is named to other staff.

`StaffUser` is a staff login, the project's user model (Django's `User`): who did something, as audit entries
and rows record them. `RequestUser` is what `request.user` is: a staff login, or `AnonymousUser`, whom the
permission checks that take it refuse. Both live here, at the bottom, so that areas and audit (below staff) can
name them too. They are for the type checker: the user model is not imported while the program runs (a `type`
alias is only evaluated when asked for).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.http import HttpRequest

type StaffUser = User
type RequestUser = User | AnonymousUser


def user_name(user: StaffUser) -> str:
    """A staff login as other staff see it: the full name, or the username when no name is set."""
    return str(user.get_full_name() or user.get_username())


def signed_in_staff(request: HttpRequest) -> StaffUser:
    """The staff login behind a request to a staff page (those views already require one): the user that
    services record as the actor. Refused (403) if nobody is signed in."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    return user
