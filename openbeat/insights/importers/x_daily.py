"""X (Twitter) classic daily export: `"Date","Tweets published","impressions","engagements",...` for one account."""

from __future__ import annotations

from openbeat.areas.importers.report import ImportFileError
from openbeat.insights.importers.base import Parsed
from openbeat.insights.importers.native import Spec, parse_native
from openbeat.insights.importers.x_tweets import X_FLOWS

SPEC = Spec(
    name="X daily",
    platform="x",
    date_column="date",
    flows=[("tweets published", "posts"), *X_FLOWS],
    per_day=True,
)


def parse(text: str, *, account: str = "") -> Parsed:
    if not account:
        raise ImportFileError("an X daily export does not say whose it is: choose the account it is for")
    return parse_native(text, SPEC, account=account)
