"""The staff home: the back office's first page, one panel per piece of the day's work.

staff sits below the capability apps, so it cannot read their tables. An app with something for the home
registers it in a `home_panels.py` module of its own (`register(HomePanel(...))`); those modules are found the
way Wagtail finds `wagtail_hooks` (autodiscovery, the first time a home is drawn). Each panel decides on the
server whether the signed-in person sees it at all (`is_shown`: their permissions) and which rows (`rows`:
through the app's own scoped selectors, so another division's items never appear). The home then shows the
panels in `order`, each with a link to its full list and a plain sentence when it is empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from wagtail.admin.ui.components import Component

from openbeat.core.users import RequestUser

# Rows shown in a panel; one more is read to know whether to say "and more".
ROWS = 5


@dataclass(frozen=True)
class PanelRow:
    text: str  # what the row is (a reference, an alert's title)
    url: str  # its page
    detail: str = ""  # a short line under it (type, division, when)
    badge: str = ""  # a word or two beside it ("Overdue (red)")
    tone: str = ""  # the badge's colour: "red", "amber", "ok" (the words carry the meaning, not the colour)


@dataclass(frozen=True)
class HomePanel:
    key: str
    title: str
    order: int
    # Whether the user sees the panel at all (a permission check; the rows are scoped as well).
    is_shown: Callable[[RequestUser], bool]
    # Up to `limit` rows for the user at `now`.
    rows: Callable[[RequestUser, dt.datetime, int], list[PanelRow]]
    link_url: Callable[[], str]  # the full list (a callable: URLs are not loaded when apps register)
    link_text: str
    empty_text: str


_PANELS: dict[str, HomePanel] = {}
_discovered = False


def register(panel: HomePanel) -> HomePanel:
    """Add (or replace, by key) a panel of the staff home."""
    _PANELS[panel.key] = panel
    return panel


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("home_panels")
        _discovered = True


def panels_for(user: RequestUser) -> list[HomePanel]:
    """The panels `user` may see, in order. An inactive or signed-out user sees none."""
    _discover()
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return [panel for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)) if panel.is_shown(user)]


class HomePanelComponent(Component):
    """One registered panel drawn on Wagtail's dashboard (staff.wagtail_hooks replaces Wagtail's own panels)."""

    template_name = "staff/home/panel.html"

    def __init__(self, panel: HomePanel, user: RequestUser, now: dt.datetime) -> None:
        self.panel = panel
        self.name = panel.key
        self.order = panel.order
        self.user = user
        self.now = now

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        rows = self.panel.rows(self.user, self.now, ROWS + 1)
        return {
            "panel": self.panel,
            "rows": rows[:ROWS],
            "more": len(rows) > ROWS,
            "link_url": self.panel.link_url(),
        }


class HomeIntroComponent(Component):
    """A line above the panels: whose day this is, in which role(s), for which division."""

    template_name = "staff/home/intro.html"
    name = "intro"
    order = -1

    class Media:
        css = {"all": ["staff/home.css"]}

    def __init__(self, user: Any) -> None:
        self.user = user  # signed in with the back office's permission (Wagtail's home requires it)

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        from openbeat.staff import roles
        from openbeat.staff.models import StaffProfile
        from openbeat.staff.scope import scope_for

        user = self.user
        names = set(user.groups.values_list("name", flat=True))
        held = [role for role in roles.ROLES if role in names]
        if user.is_superuser and roles.ADMINISTRATOR not in held:
            held.insert(0, roles.ADMINISTRATOR)
        if scope_for(user).force_wide:
            where = "the whole force"
        else:
            profile = StaffProfile.objects.filter(user=user).select_related("division").first()
            division = profile.division if profile is not None else None
            where = f"{division.name} division" if division is not None else "no division yet (ask an administrator)"
        return {
            "name": user.get_full_name() or user.get_username(),
            "roles": ", ".join(held),
            "where": where,
        }


def home_components(user: RequestUser, now: dt.datetime | None = None) -> list[Component]:
    """What the home shows `user`: the intro line, then the panels they may see."""
    now = now or timezone.now()
    components: list[Component] = [HomeIntroComponent(user)]
    components += [HomePanelComponent(panel, user, now) for panel in panels_for(user)]
    return components
