"""The demo's urgent warnings: two of its sent alerts published as CAP warnings, so the CAP feed (/cap/alerts.atom)
and the back office's warnings list have current ones in them.

Made through cap.services (as HQ would: the messages are built, validated by the same code and audited), because
a CAP message's XML must be exactly what the service writes. Idempotent: an alert that is already a warning is
left alone, except that a demo warning whose expiry has passed is updated with a new one (a CAP Update message),
so the feed shows current warnings whenever the demo is loaded. The warnings and their messages are written down
in the demo's register: `demo_reset` removes them (before the alerts they are about).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.cap import services as cap_services
from openbeat.cap.models import Category, Certainty, Severity, Urgency, UrgentWarning
from openbeat.demo.registry import demo_tag, demo_tagged

# How long a demo warning stays current after it is issued or renewed.
LIFETIME = timedelta(days=7)

WARNINGS: list[dict[str, Any]] = [
    {
        "alert": "Scam warning: callers pretending to be police officers",
        "category": Category.SECURITY,
        "event": "Courier fraud",
        "urgency": Urgency.EXPECTED,
        "severity": Severity.MODERATE,
        "certainty": Certainty.LIKELY,
        "instruction": "Never move money or hand over cards or PINs to a caller. Hang up, wait five minutes, then "
        "call your bank on the number on your card.",
    },
    {
        "alert": "Rural theft: quad bikes and tools taken from farms near Chipping Fold",
        "category": Category.SECURITY,
        "event": "Rural theft",
        "urgency": Urgency.FUTURE,
        "severity": Severity.MINOR,
        "certainty": Certainty.LIKELY,
        "instruction": "Lock quad bikes and tools away overnight and remove keys. Call 999 if you see a theft "
        "happening, 101 to report vehicles you do not recognise on farm tracks.",
    },
]


def step_cap(ctx: Any) -> str:
    actor = demo_tagged(get_user_model().objects.filter(username="hq")).first()
    if actor is None:
        return "skipped: the demo's HQ login is not the demo's"
    now = timezone.now()
    issued = renewed = 0
    for spec in WARNINGS:
        alert = demo_tagged(Alert.objects.filter(title=spec["alert"], state=Alert.State.SENT)).first()
        if alert is None:
            continue
        warning = UrgentWarning.objects.filter(alert=alert).first()
        if warning is None:
            fields = {**cap_services.warning_defaults(alert), **spec}
            del fields["alert"]
            message = cap_services.warning_issue(alert=alert, actor=actor, **{**fields, "expires_at": now + LIFETIME})
            demo_tag(objs=[message.warning, message])
            issued += 1
        elif (
            warning.expires_at <= now
            and not warning.is_cancelled
            and demo_tagged(UrgentWarning.objects.filter(pk=warning.pk)).exists()
        ):
            message = cap_services.warning_update(warning=warning, actor=actor, expires_at=now + LIFETIME)
            demo_tag(objs=[message])
            renewed += 1
    current = demo_tagged(UrgentWarning.objects.filter(cancelled_at=None, expires_at__gt=now)).count()
    return f"{current} current urgent warnings ({issued} new, {renewed} renewed)"
