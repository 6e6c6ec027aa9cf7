"""What the home page shows from the apps above core, without core importing them.

Each app registers, in its AppConfig.ready(), a function that returns one value for the home page's template
(as apps register metric sources):

    register_home_context("latest_alerts", latest_public_alerts)

The home page calls every registered function once per view, so each must be cheap: a query or two, or cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PROVIDERS: dict[str, Callable[[], Any]] = {}


def register_home_context(name: str, provider: Callable[[], Any]) -> None:
    _PROVIDERS[name] = provider


def home_context() -> dict[str, Any]:
    return {name: provider() for name, provider in _PROVIDERS.items()}
