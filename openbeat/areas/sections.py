"""Parts of the public neighbourhood page that apps above areas provide, without areas importing them.

Each app registers, in its AppConfig.ready(), a section: a template of its own, and a function that gives that
template its context for one neighbourhood (staff registers the neighbourhood team):

    register_neighbourhood_section("team", template="staff/neighbourhood_team.html", context=team_context)

The page includes every section's template in the order given, between the map and the stations, with the
section's context added to the page's. A context function must answer with one or a few queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openbeat.areas.models import Neighbourhood

SectionContext = Callable[["Neighbourhood"], dict[str, Any]]


@dataclass(frozen=True)
class NeighbourhoodSection:
    name: str
    template: str
    context: SectionContext
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    name: str
    template: str
    context: dict[str, Any]


_SECTIONS: dict[str, NeighbourhoodSection] = {}


def register_neighbourhood_section(name: str, *, template: str, context: SectionContext, order: int = 100) -> None:
    _SECTIONS[name] = NeighbourhoodSection(name=name, template=template, context=context, order=order)


def neighbourhood_sections(neighbourhood: Neighbourhood) -> list[RenderedSection]:
    """Every registered section with its context for `neighbourhood`, in order."""
    return [
        RenderedSection(name=s.name, template=s.template, context=s.context(neighbourhood))
        for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name))
    ]
