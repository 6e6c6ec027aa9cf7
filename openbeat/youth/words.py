"""Words in a young person's question that suggest a child at risk: which of the configured list it contains.

The list is the safeguarding settings' (edited by administrators), else DEFAULTS. An entry matches whole words,
case-insensitively, with any spacing between the words of a phrase, so "hurt me" matches "he HURT  me" but
"rape" does not match "grapes". The defaults avoid words young people ask about in general ("knife", "drugs"):
an alert is for a child who may be at risk, not for every question on a topic.
"""

from __future__ import annotations

import re

from openbeat.youth.models import SafeguardingSettings

DEFAULTS = [
    "abuse",
    "abused",
    "abusing",
    "hurt me",
    "hurts me",
    "hit me",
    "hits me",
    "touched me",
    "touches me",
    "rape",
    "raped",
    "not safe",
    "scared to go home",
    "kill myself",
    "suicide",
    "self harm",
    "self-harm",
    "cut myself",
    "cutting myself",
    "groomed",
    "grooming",
    "send nudes",
    "sent nudes",
    "blackmail",
    "blackmailing",
    "forced me",
    "forcing me",
    "county lines",
    "owe them money",
    "run away",
    "ran away",
    "stabbed",
    "stab me",
    "threatened",
]


def entries() -> list[str]:
    row = SafeguardingSettings.objects.first()
    if row is not None and row.word_list:
        return row.word_list
    return list(DEFAULTS)


def _pattern(entry: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in entry.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def matches(text: str) -> list[str]:
    """The entries found in `text`, in list order."""
    return [entry for entry in entries() if _pattern(entry).search(text)]
