"""The back office's "Do It Online" menu section, with the triage queue in it.

Other parts add their pages to the section through the `register_do_it_online_menu_item` hook (a function
returning a wagtail MenuItem), as the In the Know section does. Not `register_reports_menu_item`: that is Wagtail's
own "Reports" menu, and sharing its name put the triage queue in both menus (and Wagtail's reports in ours).
The name is spelled out here rather than imported from `reports.wagtail_hooks` because that module imports this
one (through `urls_triage`) before defining it.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from openbeat.reports.permissions import can_triage

REPORTS_MENU_HOOK = "register_do_it_online_menu_item"


class TriageMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return can_triage(request.user)


@hooks.register("register_admin_menu_item")
def register_reports_menu() -> SubmenuMenuItem:
    # After In the Know (220). Hidden when none of its items is shown to the user.
    return SubmenuMenuItem("Do It Online", Menu(register_hook_name=REPORTS_MENU_HOOK), icon_name="form", order=230)


@hooks.register(REPORTS_MENU_HOOK)
def register_triage_menu_item() -> MenuItem:
    return TriageMenuItem("Triage queue", reverse("reports_staff:queue"), icon_name="list-ul", order=10)
