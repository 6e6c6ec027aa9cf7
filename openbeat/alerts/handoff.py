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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.db.models import QuerySet

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


# ------------------------------------------------------------------------------ figures and the forecast
#
# The delivery app also registers two reads (alerts never imports delivery):
#
#   handoff.register_figures(alert_figures, "delivery/staff/_figures.html")
#       alert_figures(alerts, n=threshold) -> {alert id: figures}: one batched read for a page of alerts, the
#       same figures (and the same template, with the same words) on the list of alerts and on the alert's page.
#   handoff.register_forecast(audience_forecast)
#       audience_forecast(audience=..., priority=...) -> HeldBack: of the people the composer counts, how many
#       the delivery rules would hold back now (daily cap, SMS quiet hours, their chosen time of day).


class FiguresSource(Protocol):
    def __call__(self, alerts: Sequence[Alert], *, n: int) -> Mapping[int, object]: ...


@dataclass(frozen=True)
class HeldBack:
    """Of those who would receive an alert (past their minimum priority), per channel: how many the delivery
    rules would hold back if it went now."""

    email_at_cap: int = 0  # at their daily cap: gathered into the daily digest instead
    email_held: int = 0  # held until the time of day they chose
    sms_at_cap: int = 0  # at their daily SMS cap: not sent (SMS has no digest)
    sms_quiet_hours: int = 0  # SMS quiet hours now: held until they end
    sms_held: int = 0  # held until the time of day they chose


class Forecast(Protocol):
    def __call__(self, *, audience: Audience, priority: int) -> HeldBack: ...


_figures: tuple[FiguresSource, str] | None = None
_forecast: Forecast | None = None


def register_figures(source: FiguresSource | None, template_name: str = "") -> None:
    global _figures
    _figures = (source, template_name) if source is not None else None


def figures(alerts: Sequence[Alert], *, n: int) -> Mapping[int, object]:
    """Each alert's figures by id ({} with no delivery app)."""
    return _figures[0](alerts, n=n) if _figures is not None and alerts else {}


def figures_source() -> tuple[FiguresSource, str] | None:
    """What register_figures installed (tests put it back)."""
    return _figures


def forecast_installed() -> Forecast | None:
    return _forecast


def figures_template() -> str:
    return _figures[1] if _figures is not None else ""


def register_forecast(forecast: Forecast | None) -> None:
    global _forecast
    _forecast = forecast


def forecast(*, audience: Audience, priority: int) -> HeldBack | None:
    """What the delivery rules would hold back now (None with no delivery app)."""
    return _forecast(audience=audience, priority=priority) if _forecast is not None else None


# ------------------------------------------------------------------------------ an earlier alert's recipients
#
# "Send an update" goes to exactly the people an earlier alert reached: the delivery app knows who, and says so
# with a subquery (never a list of ids: an alert may have reached a million people):
#
#   handoff.register_recipients(alert_recipients)
#       alert_recipients(alert_id=..., channel="email") -> a queryset of subscriber ids (values("subscriber_id"))
#       of the deliveries of that alert on that channel that were sent, delivered or gathered into a digest.


class RecipientsSource(Protocol):
    def __call__(self, *, alert_id: int, channel: str) -> QuerySet[Any]: ...


_recipients: RecipientsSource | None = None


def register_recipients(source: RecipientsSource | None) -> None:
    global _recipients
    _recipients = source


def recipients_source() -> RecipientsSource | None:
    """Who an earlier alert reached, per channel (None with no delivery app: an update then reaches nobody)."""
    return _recipients
