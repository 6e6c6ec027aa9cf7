"""Legal-risk warnings before a post is approved: the force's patterns (LegalPattern, edited by HQ in the back
office) matched against every text a post would publish. Each match is a warning the approver (or, for an
account that needs no approval, the author) must confirm by ticking it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from openbeat.social.models import LegalPattern, Post


@dataclass(frozen=True)
class Warning:
    key: str  # the pattern's id as text: what a confirmation names
    label: str
    excerpt: str  # the words matched, for the approver to see where


def warnings_for_texts(texts: list[str]) -> list[Warning]:
    found: list[Warning] = []
    for pattern in LegalPattern.objects.filter(active=True).order_by("pk"):
        try:
            compiled = re.compile(pattern.pattern, re.IGNORECASE)
        except re.error:
            continue  # a broken pattern is refused by the form; an old one must not stop posting
        for text in texts:
            match = compiled.search(text)
            if match:
                found.append(Warning(key=str(pattern.pk), label=pattern.label, excerpt=match.group(0)[:120]))
                break
    return found


def warnings_for(post: Post) -> list[Warning]:
    texts = [post.text, *(t.variant_text for t in post.targets.all() if t.variant_text)]
    return warnings_for_texts(texts)


def unconfirmed(warnings: list[Warning], confirmed: set[str]) -> list[Warning]:
    return [w for w in warnings if w.key not in confirmed]


def require_confirmed(warnings: list[Warning], confirmed: set[str], who: str) -> list[str]:
    """The warnings' labels, once each is among `confirmed`; otherwise a ValidationError on "confirm" naming
    what `who` ("You", "The approver") must still confirm."""
    missing = unconfirmed(warnings, confirmed)
    if missing:
        raise ValidationError({"confirm": [f"{who} must confirm: {w.label} ('{w.excerpt}')" for w in missing]})
    return [w.label for w in warnings]
