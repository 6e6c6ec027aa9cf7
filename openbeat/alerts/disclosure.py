"""Counts of residents chosen by their answers about themselves: what of them may be shown, on screen and in files.

Subscribers' optional answers (age band, ethnic group, disability or long-term health condition:
`subscriptions.Demographics`, kept apart and only with their own consent; ethnicity and health are
special-category data) must never be readable from a count. A count is *demographic* when the people counted
were chosen with a demographic rule (a targeting that includes, requires or excludes a demographic group): the
composer's live count of such a targeting, the counts kept on an alert so targeted, and that alert's delivery
figures. A targeting without a demographic rule says nothing about anyone's answers: its counts are shown as
they are. Every place that shows or exports such a count asks this module; there is no other copy of the rule.

The rule, with N the force's threshold (Settings > Alert settings, "Smallest demographic group shown",
default 10):

1. **A safe count.** Let c be a demographic count and b the same count for the same targeting without its
   demographic rules (which the composer shows anyone who removes them). c is *safe* when b = 0 (then c = 0
   is no news) or when c >= N and b - c >= N: the people the demographic rules keep, and those they leave out,
   are each at least N. Zero is below N: "none of the 40 people in this circle is disabled" says something
   about each of them.

2. **A table is shown whole or not at all** (the secondary suppression). A table of demographic counts (the
   live count by channel, time of day and priority; an alert's subscribers, email and SMS) is shown only when
   every one of its *atoms* is safe: the finest parts its figures add up from (for each channel: wanting only
   higher priorities, day only, night only, day and night; across channels: email only, SMS only, both).
   Whatever the figures shown tell, alone, together or beside the same table without the demographic rules,
   then follows from the atoms' values, each of them safe: no group smaller than N (nor an empty one) can be
   worked out from totals and the other cells.

3. **Otherwise only the number of subscribers is shown**, exactly when it is safe, else as a band that
   depends on b and on nothing but which side of the threshold c and b - c fall:
     - "fewer than N" when c < N;
     - "more than b - N" when b - c < N and b >= 2N;
     - "at most b" when N <= b < 2N (then c or b - c is below N whatever c is, so nothing finer is true).
   Each band holds at least N possible counts, or every count from 0 to b, so what is shown never pins c.
   The reason an audience is empty is given only when the targeting without its demographic rules is empty
   too (`breakdown.zero_reason`). Whether an alert needs a second person's approval is decided on the top of
   its band (`Shown.high`), so the approval step does not tell where in the band the count lies either.

4. **An alert sent to a demographic group: its delivery figures.** The states of its messages (waiting, held
   until the subscriber's chosen time, gathered into a digest, skipped for priority, delivered, failed) split
   the same people again, partly by their own choices, which anyone can count without the demographic rules,
   and add up to the audience: none of them is shown, and the progress panel says only that they are
   withheld. Opens, clicks, ratings and replies are shown only when the audience is shown whole, each below N
   as "fewer than N" (a rating average only from N ratings). Sign-ups from the alert's public page are new
   people, not its audience: shown as they are.

Where it applies: the composer's live count (its JSON and the page), the alert's page and the list of alerts,
the audit log's record of an alert's counts (and so the audit CSV), the delivery statistics page, its progress
JSON and the latest alerts on the insights dashboard (`delivery.listings`). Insights' own figures, the board
report (HTML, PDF, XLSX, JSON) and the gap map hold no demographic figures.

What one rule per answer cannot stop: a series of deliberately overlapping questions (a big area with and
without one house, both counts well above N and safe: a "tracker"). Each answer passes the rule; telling the
difference between the two needs the same person to ask both, with a demographic group, on purpose. Nor the
monthly delivery figures insights shows per division (`delivery.metrics`), which add every alert's messages
together: not a demographic count, but one demographic alert's messages are their difference from the sum of
the other alerts' figures, for someone who sends a real alert to a small group and does that arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.http import HttpRequest

from openbeat.alerts.audience import TargetingSpec
from openbeat.alerts.models import Alert, AlertSettings


def threshold(request: HttpRequest | None = None) -> int:
    """N: the smallest demographic group whose count may be shown (the request caches the setting)."""
    return int(AlertSettings.load(request).demographic_threshold)


def uses_demographics(spec: TargetingSpec) -> bool:
    return any(rule.include or rule.must or rule.exclude for rule in spec.demographics.values())


def without_demographics(spec: TargetingSpec) -> TargetingSpec:
    """The same targeting with its demographic rules taken away: what the counts are compared with.

    An update of an alert sent to a demographic group is compared with that alert's own targeting without its
    demographic rules (its areas and interests, as anyone may count them now): the earlier alert's recipients
    were themselves chosen by the demographic rules, so they are no base to compare with."""
    if spec.update_of is not None and uses_demographics(spec):
        from openbeat.alerts.targeting import TargetingError, spec_from_json

        earlier = Alert.objects.filter(pk=spec.update_of).values_list("targeting", flat=True).first()
        if earlier is None:  # never an empty base: that would show the count as it is
            raise TargetingError("The alert this is an update to no longer exists")
        return without_demographics(spec_from_json(earlier))
    return replace(spec, demographics={})


@dataclass(frozen=True)
class Shown:
    """One count as it may be shown: exactly (`value`), or as words for the band it lies in."""

    value: int | None  # the count, when it may be shown exactly
    text: str  # "1,234", "fewer than 10", "more than 4,990", "at most 15", "not shown"
    high: int | None  # the largest count consistent with what is shown (None: nothing is shown)

    def __str__(self) -> str:
        return self.text

    @property
    def exact(self) -> bool:
        return self.value is not None

    @property
    def plural(self) -> bool:
        """For "subscriber(s)": only an exact 1 is singular."""
        return self.value != 1

    def as_data(self) -> int | str:
        """For JSON and the audit log: the number when it may be shown, else the words."""
        return self.value if self.value is not None else self.text


NOT_SHOWN = Shown(None, "not shown", None)


def exact(value: int) -> Shown:
    return Shown(value, f"{value:,}", value)


def safe(count: int, base: int, n: int) -> bool:
    """Rule 1: the count may be shown next to the same count without the demographic rules (`base`)."""
    return base == 0 or (count >= n and base - count >= n)


def table_safe(counts: Mapping[str, int], bases: Mapping[str, int], n: int) -> bool:
    """Rule 2: every atom of the table (the same keys in both) is safe, so the whole table may be shown."""
    return all(safe(counts[key], bases[key], n) for key in counts)


def band(count: int, base: int, n: int) -> Shown:
    """Rule 3: one count shown exactly when safe, else as its band (which depends on `base` and the side only)."""
    if safe(count, base, n):
        return exact(count)
    if base < n or count < n <= base - n:
        return Shown(None, f"fewer than {n:,}", min(n - 1, base))
    if base >= 2 * n:  # and base - count < n
        return Shown(None, f"more than {base - n:,}", base)
    return Shown(None, f"at most {base:,}", base)


def small(count: int, n: int) -> Shown:
    """Rule 4: a figure about people already shown to be a safe group: exact from N, else "fewer than N"."""
    return exact(count) if count >= n else Shown(None, f"fewer than {n:,}", n - 1)


# ------------------------------------------------------------------------------------------ an alert's counts


@dataclass(frozen=True)
class AlertCounts:
    """An alert's audience as last counted (alert.audience_*), as it may be shown."""

    subscribers: Shown
    email: Shown
    sms: Shown
    demographic: bool  # the targeting has a demographic rule
    threshold: int

    @property
    def whole(self) -> bool:
        """Every count is shown exactly."""
        return self.subscribers.exact and self.email.exact and self.sms.exact

    def as_data(self) -> dict[str, int | str]:
        """The counts for the audit log, under the names of the alert's fields."""
        return {
            "audience_email": self.email.as_data(),
            "audience_sms": self.sms.as_data(),
            "audience_subscribers": self.subscribers.as_data(),
        }


def channel_atoms(subscribers: int, email: int, sms: int) -> dict[str, int]:
    """Subscribers by the channels that reach them: the atoms of (subscribers, email, SMS)."""
    return {"email_only": subscribers - sms, "sms_only": subscribers - email, "both": email + sms - subscribers}


def alert_counts(alert: Alert, n: int | None = None) -> AlertCounts:
    """What may be shown of the alert's audience counts (rules 1-3, against the counts kept without the
    demographic rules; an alert counted before those were kept shows no number at all)."""
    subscribers, email, sms = alert.audience_subscribers, alert.audience_email, alert.audience_sms
    if not alert.targets_demographics:
        return AlertCounts(exact(subscribers), exact(email), exact(sms), demographic=False, threshold=n or 0)
    n = threshold() if n is None else n
    base_subscribers, base_email, base_sms = (
        alert.audience_base_subscribers,
        alert.audience_base_email,
        alert.audience_base_sms,
    )
    if base_subscribers is None or base_email is None or base_sms is None:
        return AlertCounts(NOT_SHOWN, NOT_SHOWN, NOT_SHOWN, demographic=True, threshold=n)
    atoms, bases = channel_atoms(subscribers, email, sms), channel_atoms(base_subscribers, base_email, base_sms)
    if table_safe(atoms, bases, n):
        return AlertCounts(exact(subscribers), exact(email), exact(sms), demographic=True, threshold=n)
    return AlertCounts(band(subscribers, base_subscribers, n), NOT_SHOWN, NOT_SHOWN, demographic=True, threshold=n)


def alert_results(alert: Alert, figures: Mapping[str, int], n: int | None = None) -> dict[str, Shown] | None:
    """Rule 4 for an alert's engagement figures (opened, clicked, rated, replies, ...): None when the alert has no
    demographic rule (show them as they are); else each figure as it may be shown."""
    if not alert.targets_demographics:
        return None
    n = threshold() if n is None else n
    if not alert_counts(alert, n).whole:
        return dict.fromkeys(figures, NOT_SHOWN)
    return {name: small(value, n) for name, value in figures.items()}


def annotate(alerts: Any, request: HttpRequest | None = None) -> list[Alert]:
    """The alerts, each with `.shown_counts` (an AlertCounts) for a list page: the setting read once."""
    n = threshold(request)
    listed = list(alerts)
    for alert in listed:
        alert.shown_counts = alert_counts(alert, n)  # type: ignore[attr-defined]
    return listed


def rows_kept(sizes: Mapping[Any, int], n: int | None = None) -> tuple[list[Any], list[Any]]:
    """Rule 4 for a demographic alert's figures split by place (its statistics by neighbourhood): which rows may
    be shown apart, and which go together into one row. A row of fewer than N messages is never shown apart;
    and when those left out hold fewer than N together (one small row, say, which the total minus the rows
    shown would give away), the smallest rows kept join them until they hold N. Returns (kept, merged)."""
    n = threshold() if n is None else n
    ordered = sorted(sizes, key=lambda key: (sizes[key], str(key)))
    merged = [key for key in ordered if sizes[key] < n]
    kept = [key for key in ordered if sizes[key] >= n]
    while merged and kept and sum(sizes[key] for key in merged) < n:
        merged.append(kept.pop(0))
    return kept, merged
