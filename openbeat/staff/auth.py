"""Staff authentication with login throttling.

Failures are counted in the database (staff.LoginFailure) rather than a per-process cache, so the limit
holds across every gunicorn worker.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from openbeat.staff.models import LoginFailure


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def login_locked(*, username: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=since)
    by_user = recent.filter(username=username.lower()[:150]).count()
    # A single address gets more room than a single username: offices share one address.
    by_ip = recent.filter(ip=ip).count() if ip else 0
    return by_user >= settings.LOGIN_FAILURE_LIMIT or by_ip >= settings.LOGIN_FAILURE_LIMIT * 4


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get("username") or ""
        ip = client_ip(request)
        if login_locked(username=username, ip=ip):
            from openbeat.audit.services import log_action

            log_action("staff.login.locked", actor=None, data={"username": username}, request=request)
            # PermissionDenied stops Django trying any other backend.
            raise PermissionDenied("Too many failed sign-in attempts. Try again later.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            LoginFailure.objects.create(username=username.lower()[:150], ip=ip)
        else:
            LoginFailure.objects.filter(Q(username=username.lower())).delete()
        return user
