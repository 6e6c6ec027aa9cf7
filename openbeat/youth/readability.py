"""How hard an article is to read, with textstat: the Flesch-Kincaid grade (a US school year; add 5 for an age).

An 11-year-old reads comfortably at grade 6 (settings.YOUTH_READING_GRADE); parents' pages may go to grade 9
(settings.YOUTH_PARENTS_READING_GRADE). Headings are left out (they have no full stop, so they would read as one
long sentence); paragraphs, "get help now" callouts and the summary count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import textstat
from django.utils.html import strip_tags
from django.utils.text import normalize_newlines

# Below this many words a grade says little: the check says so rather than warn.
MIN_WORDS = 20


@dataclass(frozen=True)
class Readability:
    grade: float | None  # None: too short to judge
    limit: float
    words: int

    @property
    def too_hard(self) -> bool:
        return self.grade is not None and self.grade > self.limit

    def message(self) -> str:
        if self.grade is None:
            return f"Too short to check its reading level (fewer than {MIN_WORDS} words)."
        level = f"Reading level: grade {self.grade:.1f} (aim for grade {self.limit:g} or lower)."
        if self.too_hard:
            return (
                f"{level} This may be hard for its readers: use shorter sentences and everyday words. "
                "You can still publish it."
            )
        return f"{level} Good: this should be easy for its readers."


def _plain(html: str) -> str:
    # Block ends become sentence breaks, so a list item or paragraph without a full stop is not run on.
    text = normalize_newlines(html).replace("</p>", ".</p>").replace("</li>", ".</li>")
    return " ".join(strip_tags(text).split()).replace("..", ".")


def article_text(page: Any) -> str:
    """The text a reader reads in `page`'s summary and body, as plain sentences."""
    parts = [page.summary or ""]
    for block in page.body or []:
        if block.block_type == "paragraph":
            parts.append(_plain(str(block.value)))
        elif block.block_type == "help_callout":
            parts.append(_plain(str(block.value["text"])))
    return " ".join(p.strip() for p in parts if p.strip())


def text_readability(text: str, *, limit: float) -> Readability:
    words = textstat.lexicon_count(text)
    if words < MIN_WORDS:
        return Readability(grade=None, limit=limit, words=words)
    return Readability(grade=round(float(textstat.flesch_kincaid_grade(text)), 1), limit=limit, words=words)


def page_readability(page: Any) -> Readability:
    """The check for a youth or parents' article (its class says which level applies)."""
    return text_readability(article_text(page), limit=type(page).reading_grade_limit())
