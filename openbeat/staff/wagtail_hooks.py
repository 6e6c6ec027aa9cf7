"""The back office's Staff section: officers' public profiles and neighbourhood teams, scoped by division."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from openbeat.staff import audit_browser, home
from openbeat.staff.admin_views import ScopedViewSetMixin
from openbeat.staff.areas_admin import AreasGroup
from openbeat.staff.models import Officer, TeamMembership
from openbeat.staff.views import two_factor


class OfficerViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Officer
    audit_name = "staff.officer"
    icon = "user"
    form_fields = ["name", "rank", "role", "bio", "photo", "email", "phone", "division", "public"]
    list_display = ["name", "rank", "role", "division", "public"]
    list_filter = ["division", "rank", "public"]
    search_fields = ["name", "role"]


class TeamMembershipViewSet(ScopedViewSetMixin, ModelViewSet):
    model = TeamMembership
    audit_name = "staff.teammembership"
    scope_field = "neighbourhood__division"
    icon = "group"
    menu_label = "Neighbourhood teams"
    form_fields = ["neighbourhood", "officer", "sort_order"]
    list_display = ["neighbourhood", "officer", "sort_order"]
    list_filter = ["neighbourhood__division"]
    search_fields = ["officer__name", "neighbourhood__name"]


class StaffGroup(ModelViewSetGroup):
    menu_label = "Staff"
    menu_icon = "user"
    menu_order = 210
    items = [OfficerViewSet("officers"), TeamMembershipViewSet("teams")]


@hooks.register("register_admin_viewset")
def register_areas() -> AreasGroup:
    return AreasGroup()


@hooks.register("register_admin_viewset")
def register_staff() -> StaffGroup:
    return StaffGroup()


@hooks.register("register_admin_urls")
def register_two_factor_urls() -> list:
    return [
        path("2fa/setup/", two_factor.setup, name="staff_2fa_setup"),
        path("2fa/verify/", two_factor.verify, name="staff_2fa_verify"),
        path("2fa/remove/", two_factor.remove, name="staff_2fa_remove"),
    ]


@hooks.register("register_admin_menu_item")
def register_two_factor_menu_item() -> MenuItem:
    return MenuItem("Two-factor authentication", reverse("staff_2fa_setup"), icon_name="lock", order=10000)


@hooks.register("register_admin_urls")
def register_audit_urls() -> list:
    return audit_browser.admin_urls()


@hooks.register("register_admin_menu_item")
def register_audit_menu_item() -> MenuItem:
    return audit_browser.admin_menu_item()


@hooks.register("construct_homepage_panels")
def staff_home_panels(request, panels: list) -> None:  # type: ignore[no-untyped-def]
    """The staff home: Wagtail's page-editing panels (workflows, recent edits, locked pages) give way to the
    day's work for the signed-in person's role and division (staff.home; each app registers its panels)."""
    panels[:] = home.home_components(request.user)
