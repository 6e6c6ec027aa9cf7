"""Who may read the detailed health and the metrics: a monitoring system with the bearer token from the
environment (MONITORING_TOKEN), or a signed-in member of staff with the permission. The cheap /healthz stays open
for load balancers: it says only that the database answers."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest


def may_monitor(request: HttpRequest) -> bool:
    token = settings.MONITORING_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent.removeprefix("Bearer ").strip(), token):
        return True
    user = request.user if hasattr(request, "user") else None
    return bool(user and user.is_authenticated and user.has_perm("monitoring.view_monitoring"))
