"""Where a dispatched alert goes next: a one-slot registry the delivery app fills.

`alerts` sits below `delivery` (delivery imports alerts, never the other way), so the delivery app, when it
is installed, registers its entry point from its AppConfig.ready():

    from openbeat.alerts import handoff
    handoff.register(outbox_fill_for_alert)   # called as pipeline(alert=alert, audience=audience)

`alert_dispatch` calls the pipeline inside the transaction that moved the alert to `sending`, with the
resolved `Audience`; the pipeline then owns the alert until it marks it sent (`services.alert_mark_sent`).
With no pipeline registered (before the delivery app exists, or in a deployment without it) dispatch marks
the alert sent straight away with its counts, logging a warning, so the archive and the demo still work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from openbeat.alerts.audience import Audience
    from openbeat.alerts.models import Alert


class Pipeline(Protocol):
    def __call__(self, *, alert: Alert, audience: Audience) -> object: ...


_pipeline: Pipeline | None = None


def register(pipeline: Pipeline | None) -> None:
    """Install the delivery pipeline (None removes it; tests use that to restore the default)."""
    global _pipeline
    _pipeline = pipeline


def installed() -> Pipeline | None:
    return _pipeline


# Templates the delivery app adds to an alert's staff page (its progress bar and statistics), in order.
_panels: list[str] = []


def register_panel(template_name: str) -> None:
    if template_name not in _panels:
        _panels.append(template_name)


def panels() -> list[str]:
    return list(_panels)
