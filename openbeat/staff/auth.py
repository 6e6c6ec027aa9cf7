"""Staff sign-in throttling that no stranger can turn against the staff.

Two limits, both counted by django-axes in the database (so every gunicorn worker and every host sees the same
counts), both keyed on the real client address behind the force's proxies (`core.clientaddr`):

- **Username and address.** `LOGIN_FAILURE_LIMIT` (5) failures for one username from one address within
  `LOGIN_FAILURE_WINDOW_SECONDS` (15 minutes) lock that pair for the window. A stranger guessing a colleague's
  password locks out only themselves: the colleague signs in from their own address as usual.
- **The account.** Only when a username has failed `LOGIN_ACCOUNT_LOCK_FAILURES` (20) times from at least
  `LOGIN_ACCOUNT_LOCK_ADDRESSES` (3) addresses within the window (a distributed guess) is the account itself
  locked for the window, and its owner is emailed once, so a real person knows and can act.

A success from an address clears that address's failures for the username.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def locked_message() -> str:
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    return f"Too many failed sign-in attempts. Wait {minutes} minutes and try again, or ask an administrator."


def typed_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The username as counted: case and surrounding spaces do not make a new one (AXES_USERNAME_CALLABLE)."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username", "")
    return str(raw or "").strip().lower()[:150]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse | None:
    """The sign-in page as the view rendered it: the form itself says why (AXES_LOCKOUT_CALLABLE)."""
    return original_response


def _window_start() -> Any:
    return timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def account_failures(username: str) -> tuple[int, int]:
    """Failures for `username` within the window, and from how many addresses."""
    totals = AccessAttempt.objects.filter(username=username.strip().lower(), attempt_time__gte=_window_start())
    row = totals.aggregate(failures=Sum("failures_since_start"), addresses=Count("ip_address", distinct=True))
    return row["failures"] or 0, row["addresses"] or 0


def account_locked(username: str) -> bool:
    failures, addresses = account_failures(username)
    return failures >= settings.LOGIN_ACCOUNT_LOCK_FAILURES and addresses >= settings.LOGIN_ACCOUNT_LOCK_ADDRESSES


def login_blocked(*, request: HttpRequest | None, username: str) -> bool:
    """True when this username may not try a password from this request's address now."""
    username = username.strip().lower()
    if not username:
        return False
    if account_locked(username):
        return True
    if request is None:
        return False
    return not AxesProxyHandler.is_allowed(request, {"username": username})


def login_failure_recorded(*, request: HttpRequest | None, username: str) -> None:
    """After axes counted a failure: lock the account if a distributed guess has begun, and tell its owner once."""
    from openbeat.audit.services import log_action

    username = username.strip().lower()
    if not username or not account_locked(username):
        return
    # One notice per lock window, across every process (the shared cache).
    if not cache.add(f"staff-login-account-locked:{username}", 1, settings.LOGIN_FAILURE_WINDOW_SECONDS):
        return
    failures, addresses = account_failures(username)
    log_action(
        "staff.login.account_locked",
        actor=None,
        data={"username": username, "failures": failures, "addresses": addresses},
        request=request,
    )
    owner = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
    if owner is not None and owner.email:
        from openbeat.core.messaging import email_send

        email_send(
            to=owner.email,
            template="staff/email/account_locked",
            context={
                "user": owner,
                "failures": failures,
                "addresses": addresses,
                "minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60,
            },
            purpose="staff-account-locked",
        )


def login_attempts_expire(*, now: Any = None) -> int:
    """Forget failed sign-ins once they can no longer lock anything (older than the window): the username typed
    and the address are personal data, kept no longer than they serve. Axes itself only tidies on a failure."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return deleted


class ThrottledModelBackend(ModelBackend):
    """Django's model backend behind the account lock (the address lock is axes' own backend, listed first)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        typed = username if username is not None else kwargs.get("username") or ""
        if typed and account_locked(typed):
            from openbeat.audit.services import log_action

            log_action("staff.login.locked", actor=None, data={"username": typed.lower()[:150]}, request=request)
            # PermissionDenied stops Django trying any other backend.
            raise PermissionDenied(locked_message())
        return super().authenticate(request, username=username, password=password, **kwargs)
