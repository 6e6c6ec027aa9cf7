"""The live audience count the composer shows: who an alert would reach, on which channel, and when.

`audience_resolve` says who is reachable; this splits each channel by the rules delivery applies at
hand-off (the subscriber's day/night choice for the channel, and their minimum priority for it), so an
officer sees "1,100 by email: 1,000 if sent by day, 900 at night; 40 want only higher priorities".
`zero_reason` explains an empty audience by relaxing the spec one rule at a time. `audience_shown` is what the
composer and the alert's page show: for a targeting with a demographic group, only what `alerts.disclosure`
allows (the whole split, or only the number of subscribers, perhaps as "fewer than 10").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from openbeat.alerts import disclosure, handoff
from openbeat.alerts.audience import CHANNELS, AreaSet, SetRule, TargetingSpec, audience_resolve
from openbeat.subscriptions.models import Interest, Subscriber


@dataclass(frozen=True)
class ChannelBreakdown:
    """One channel's recipients (as resolved), split by the hand-off rules."""

    reachable: int = 0
    # Their minimum priority for this channel is above the alert's: delivery skips them.
    below_priority: int = 0
    # Of the rest (who will receive it), by the times of day they chose for this channel.
    day_only: int = 0
    night_only: int = 0
    day_and_night: int = 0
    # Of those receiving it, what the delivery rules would do if it went now (handoff.forecast; None without
    # the delivery app): at the daily cap (email: into the digest; SMS: not sent), held for SMS quiet hours,
    # held until the time of day they chose.
    at_cap: int | None = None
    quiet_hours: int | None = None
    held: int | None = None

    @property
    def receiving(self) -> int:
        return self.reachable - self.below_priority

    @property
    def by_day(self) -> int:
        """Would receive it if it goes out in the day."""
        return self.day_only + self.day_and_night

    @property
    def at_night(self) -> int:
        """Would receive it if it goes out at night."""
        return self.night_only + self.day_and_night

    def as_json(self) -> dict[str, int | None]:
        return {
            "total": self.reachable,
            "receiving": self.receiving,
            "by_day": self.by_day,
            "at_night": self.at_night,
            "day_only": self.day_only,
            "night_only": self.night_only,
            "day_and_night": self.day_and_night,
            "below_priority": self.below_priority,
            # Only with the delivery app's forecast.
            **(
                {}
                if self.at_cap is None
                else {"at_cap": self.at_cap, "quiet_hours": self.quiet_hours, "held": self.held}
            ),
        }


@dataclass(frozen=True)
class Breakdown:
    subscribers: int = 0
    email: ChannelBreakdown = field(default_factory=ChannelBreakdown)
    sms: ChannelBreakdown = field(default_factory=ChannelBreakdown)

    def as_json(self) -> dict[str, Any]:
        return {"subscribers": self.subscribers, "email": self.email.as_json(), "sms": self.sms.as_json()}


def _with_ids(ids: np.ndarray) -> list[QuerySet[Subscriber]]:
    """Querysets over exactly these subscriber ids, each a single query parameter where the database allows.

    A few hundred thousand ids as `IN (%s, %s, ...)` would pass SQLite's parameter limit; one JSON (SQLite)
    or array (PostgreSQL) parameter keeps it one query, and the database looks each id up by primary key.
    """
    subscribers = Subscriber.objects.order_by()
    values = ids.tolist()
    if connection.vendor == "sqlite":
        return [subscribers.filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)]))]
    if connection.vendor == "postgresql":
        return [subscribers.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", [values]))]
    size = max(1, (connection.features.max_query_params or 1000) - 10)
    return [subscribers.filter(pk__in=values[i : i + size]) for i in range(0, len(values), size)]


subscribers_with_ids = _with_ids  # for the delivery app's forecast (handoff.register_forecast)


def _channel(ids: np.ndarray, channel: str, priority: int) -> ChannelBreakdown:
    if not len(ids):
        return ChannelBreakdown()
    day, night = f"{channel}_day", f"{channel}_night"
    wanted = Q(**{f"{channel}_min_priority__lte": priority})
    # Conditional counts in one pass: a GROUP BY over the same rows sorted them and took ~3x as long
    # (SQLite, 300,000 ids).
    splits = {
        "below_priority": ~wanted,
        "day_only": wanted & Q(**{day: True, night: False}),
        "night_only": wanted & Q(**{day: False, night: True}),
        "day_and_night": wanted & Q(**{day: True, night: True}),
    }
    counts = dict.fromkeys(splits, 0)
    for queryset in _with_ids(ids):
        found = queryset.aggregate(**{name: Count("pk", filter=condition) for name, condition in splits.items()})
        for name in counts:
            counts[name] += found[name] or 0
    return ChannelBreakdown(reachable=len(ids), **counts)


def audience_breakdown(*, spec: TargetingSpec, priority: int) -> Breakdown:
    """Who an alert with this targeting and priority reaches, per channel, split by the hand-off rules.

    Exact, whatever the targeting: what may be shown of it is `audience_shown`."""
    audience = audience_resolve(spec)
    email, sms = _channel(audience.email, "email", priority), _channel(audience.sms, "sms", priority)
    held = handoff.forecast(audience=audience, priority=priority)
    if held is not None:
        email = replace(email, at_cap=held.email_at_cap, held=held.email_held)
        sms = replace(sms, at_cap=held.sms_at_cap, quiet_hours=held.sms_quiet_hours, held=held.sms_held)
    return Breakdown(subscribers=audience.subscriber_count, email=email, sms=sms)


# ------------------------------------------------------------------------------------------- what is shown


def _atoms(breakdown: Breakdown) -> dict[str, int]:
    """The finest parts every figure of a breakdown adds up from (alerts.disclosure, rule 2)."""
    atoms = disclosure.channel_atoms(breakdown.subscribers, breakdown.email.reachable, breakdown.sms.reachable)
    for name, split in (("email", breakdown.email), ("sms", breakdown.sms)):
        atoms.update(
            {
                f"{name}.below_priority": split.below_priority,
                f"{name}.day_only": split.day_only,
                f"{name}.night_only": split.night_only,
                f"{name}.day_and_night": split.day_and_night,
            }
        )
        # The forecast splits those receiving it again, by what they were sent today and by the hour: each part
        # and what is left of those receiving it are atoms too.
        for part in ("at_cap", "quiet_hours", "held"):
            value = getattr(split, part)
            if value is not None and (part != "quiet_hours" or name == "sms"):
                atoms[f"{name}.{part}"] = value
                atoms[f"{name}.not_{part}"] = split.receiving - value
    return atoms


@dataclass(frozen=True)
class ShownAudience:
    """The live count as the composer and the alert's page may show it."""

    subscribers: disclosure.Shown
    # Every figure, when all of them may be shown (always, for a targeting without a demographic group).
    breakdown: Breakdown | None
    reason: str | None
    summary: str
    demographic: bool
    threshold: int

    @property
    def withheld(self) -> bool:
        """Some figure is not shown (the split, or the exact number of subscribers)."""
        return self.breakdown is None

    def as_json(self) -> dict[str, Any]:
        figures = self.breakdown.as_json() if self.breakdown is not None else {"email": None, "sms": None}
        return {
            **figures,
            "subscribers": self.subscribers.value,
            "subscribers_text": self.subscribers.text,
            "withheld": self.withheld,
            "demographic": self.demographic,
            "threshold": self.threshold,
            "reason": self.reason,
            "summary": self.summary,
        }


def audience_shown(*, spec: TargetingSpec, priority: int, n: int | None = None) -> ShownAudience:
    """The live count of this targeting as it may be shown (alerts.disclosure, rules 1-3).

    Without a demographic group: every figure. With one: the same breakdown is counted without the demographic
    rules too; every figure is shown when each atom is safe against it, otherwise only the number of
    subscribers (exactly when safe, else its band), and an empty audience is explained only when it is empty
    without the demographic rules as well.
    """
    n = disclosure.threshold() if n is None else n
    found = audience_breakdown(spec=spec, priority=priority)
    if not disclosure.uses_demographics(spec):
        reason = zero_reason(spec=spec) if found.subscribers == 0 else None
        summary = breakdown_summary(found, reason)
        return ShownAudience(disclosure.exact(found.subscribers), found, reason, summary, False, n)
    public = disclosure.without_demographics(spec)
    base = audience_breakdown(spec=public, priority=priority)
    reason = zero_reason(spec=public) if base.subscribers == 0 else None
    if disclosure.table_safe(_atoms(found), _atoms(base), n):
        return ShownAudience(
            disclosure.exact(found.subscribers), found, reason, breakdown_summary(found, reason), True, n
        )
    subscribers = disclosure.band(found.subscribers, base.subscribers, n)
    summary = (
        f"{str(subscribers)[:1].upper()}{str(subscribers)[1:]} subscriber{'s' if subscribers.plural else ''}. "
        f"With a demographic group, no figure is shown from which a group of fewer than {n:,} people could be "
        "worked out, so the split by channel and time of day is not shown."
    )
    return ShownAudience(subscribers, None, None, summary, True, n)


# ------------------------------------------------------------------------------------------- zero reason


def _people(n: int) -> str:
    return f"{n:,} subscriber{'s' if n != 1 else ''}"


def _quoted(slugs: frozenset[str]) -> str:
    names = dict(Interest.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return ", ".join(f"'{names.get(s, s)}'" for s in sorted(slugs, key=lambda s: names.get(s, s)))


def _topic_words(rule: SetRule) -> str:
    if rule.include and not (rule.must or rule.exclude):
        if len(rule.include) == 1:
            return f"none chose the interest {_quoted(rule.include)}"
        return f"none chose any of the interests {_quoted(rule.include)}"
    if rule.must and not (rule.include or rule.exclude):
        if len(rule.must) == 1:
            return f"none chose the interest {_quoted(rule.must)}"
        return f"none chose all of the interests {_quoted(rule.must)}"
    if rule.exclude and not (rule.include or rule.must):
        return f"all of them chose an excluded interest ({_quoted(rule.exclude)})"
    return "none match the topic rules"


def _count(spec: TargetingSpec) -> int:
    return audience_resolve(spec).subscriber_count


def zero_reason(*, spec: TargetingSpec) -> str | None:
    """Why this targeting reaches nobody, in an officer's words; None when it reaches someone.

    Starts from everyone reachable in the areas and adds the spec's rules back one at a time (exclusions,
    topics, groups, channels): the first rule that empties the audience is the reason. A targeting with a
    demographic group is explained only by its other rules, and only when they alone reach nobody: "none match
    the demographic rules" would tell the answers of the few people in a small area (alerts.disclosure).
    """
    if disclosure.uses_demographics(spec):
        public = disclosure.without_demographics(spec)
        return zero_reason(spec=public) if _count(public) == 0 else None
    if spec.update_of is not None:
        if _count(spec) == 0:
            return "None of the earlier alert's recipients can be reached on these channels now"
        return None
    if spec.areas.is_empty:
        return "No area chosen"
    if not set(spec.channels) & set(CHANNELS):
        return "No channel chosen: choose email, SMS or both"
    everyone = replace(
        spec,
        exclude_areas=AreaSet(),
        topics=SetRule(),
        groups=SetRule(),
        demographics={},
        channels=frozenset(CHANNELS),
    )
    in_areas = _count(everyone)
    if in_areas == 0:
        return "Nobody has subscribed in these areas yet"
    current = replace(everyone, exclude_areas=spec.exclude_areas)
    found = _count(current)
    if found == 0:
        return f"{_people(in_areas)} in these areas, but all of them are in the excluded areas"
    steps: list[tuple[dict[str, Any], str]] = [
        ({"topics": spec.topics}, _topic_words(spec.topics)),
        ({"groups": spec.groups}, "none match the group rules"),
    ]
    for change, words in steps:
        current = replace(current, **change)
        narrowed = _count(current)
        if narrowed == 0:
            return f"{_people(found)} in these areas, but {words}"
        found = narrowed
    if _count(spec) == 0:
        if set(spec.channels) == {"sms"}:
            return f"{found:,} match, but none can be reached by SMS (no verified phone)"
        return f"{found:,} match, but none can be reached by email (no confirmed email address)"
    return None


def _channel_words(name: str, split: ChannelBreakdown) -> str:
    if not split.receiving:
        return f"none by {name}"
    return f"{split.receiving:,} by {name} ({split.by_day:,} if sent in the day, {split.at_night:,} at night)"


def breakdown_summary(breakdown: Breakdown, reason: str | None = None) -> str:
    """One sentence for the composer's live panel (read out by screen readers as it changes)."""
    if breakdown.subscribers == 0:
        return reason or "Nobody would receive this alert"
    sentence = (
        f"{_people(breakdown.subscribers)}: {_channel_words('email', breakdown.email)}, "
        f"{_channel_words('SMS', breakdown.sms)}."
    )
    skipped = [
        f"{split.below_priority:,} by {name}"
        for name, split in (("email", breakdown.email), ("SMS", breakdown.sms))
        if split.below_priority
    ]
    if skipped:
        sentence += f" Not sent to {' and '.join(skipped)}: they only want alerts of a higher priority."
    return sentence + _held_words(breakdown)


def _held_words(breakdown: Breakdown) -> str:
    """What the delivery rules would hold back if it went now, as a sentence ("" when nothing)."""
    parts = []
    if breakdown.email.at_cap:
        parts.append(f"{breakdown.email.at_cap:,} by email would get it in their daily digest instead")
    if breakdown.sms.at_cap:
        parts.append(f"{breakdown.sms.at_cap:,} by SMS would not get it")
    if parts:
        return f" At their daily cap: {' and '.join(parts)}."
    return ""
