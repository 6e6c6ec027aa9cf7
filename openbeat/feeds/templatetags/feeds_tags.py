"""`{% feed_alternates "news" "appeals" %}` (or `... "everything" neighbourhood=neighbourhood`): the <link
rel="alternate"> elements by which browsers and feed readers find a page's feeds, for a page's head."""

from __future__ import annotations

from typing import Any

from django import template

from openbeat.areas.models import Division, Neighbourhood
from openbeat.feeds.links import feed_links
from openbeat.feeds.selectors import KINDS, Scope

register = template.Library()


@register.inclusion_tag("feeds/_alternates.html", takes_context=True)
def feed_alternates(
    context: Any, *kinds: str, division: Division | None = None, neighbourhood: Neighbourhood | None = None
) -> dict[str, Any]:
    force = context.get("force")
    chosen = tuple(k for k in KINDS if k in kinds) or ("everything",)
    scope = Scope(division=division, neighbourhood=neighbourhood)
    return {"links": feed_links(getattr(force, "name", ""), scope, chosen)}
