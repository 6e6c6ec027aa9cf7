"""The staff-edited word lists (models.WordList): which entries a resident's text contains.

An entry matches whole words, case-insensitively, with any spacing between the words of a phrase ("he  hit me"),
so "knife" matches "a knife!" but "class" does not match "ass".
"""

from __future__ import annotations

import re

from openbeat.meetings.models import WordList

DEFAULTS = {
    WordList.Kind.ABUSIVE: ["idiot", "scum", "pigs", "bastard", "bastards", "moron", "useless coppers"],
    WordList.Kind.HARM: [
        "he hit me",
        "she hit me",
        "hit me",
        "hurt me",
        "abuse",
        "abused",
        "abusing",
        "assaulted",
        "knife",
        "gun",
        "threatened me",
        "raped",
        "being followed",
        "scared to go home",
        "domestic",
        "grooming",
    ],
}


def _pattern(entry: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in entry.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def entries(kind: str) -> list[str]:
    row = WordList.objects.filter(kind=kind).first()
    return row.entries if row is not None else list(DEFAULTS[WordList.Kind(kind)])


def matches(text: str, kind: str) -> list[str]:
    """The entries of list `kind` found in `text`, in list order."""
    return [entry for entry in entries(kind) if _pattern(entry).search(text)]
