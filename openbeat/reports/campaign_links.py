"""Reports made through a campaign's link: `/report/<type>/?campaign=<slug>`.

Reports never imports the campaigns app: campaigns registers two functions here (in its AppConfig.ready()):
- `known(slug) -> bool`: the start page keeps a `campaign` only if it names a campaign (so a made-up link makes
  no draft); it is then written into the browser's draft (`data["campaign"]`), as the journey's answers are;
- `record(*, report, draft_data)`: called by `report_submit` in the report's own transaction, with the draft's
  data, so that campaigns can note the report against its campaign in a table of its own.
Nothing is added to the report itself. With nothing registered, links with `?campaign=` work as plain links.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_known: Callable[[str], bool] | None = None
_record: Callable[..., Any] | None = None


def register(*, known: Callable[[str], bool] | None, record: Callable[..., Any] | None) -> None:
    global _known, _record
    _known, _record = known, record


def campaign_known(slug: str) -> bool:
    return _known is not None and bool(slug) and len(slug) <= 60 and _known(slug)


def report_made(*, report: Any, draft_data: dict[str, Any]) -> None:
    if _record is not None and draft_data.get("campaign"):
        _record(report=report, draft_data=draft_data)
