"""The back office's Areas section: neighbourhoods, stations and divisions, scoped by division."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from openbeat.areas.models import Division, Force, Neighbourhood, Station
from openbeat.staff.admin_views import ScopedViewSetMixin


class NeighbourhoodViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Neighbourhood
    audit_name = "areas.neighbourhood"
    icon = "site"
    # Boundaries come from the importers (import_boundaries), not hand-editing.
    form_fields = ["name", "description", "population"]
    list_display = ["name", "code", "division", "population"]
    list_filter = ["division"]
    search_fields = ["name", "code"]
    add_view_enabled = False
    ordering = ["name"]


class StationViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Station
    audit_name = "areas.station"
    icon = "home"
    form_fields = [
        "name",
        "address",
        "postcode",
        "lat",
        "lon",
        "division",
        "neighbourhood",
        "opening_hours",
        "front_counter",
        "phone",
    ]
    list_display = ["name", "division", "neighbourhood", "front_counter"]
    list_filter = ["division", "front_counter"]
    search_fields = ["name", "address", "postcode"]


class DivisionViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Division
    audit_name = "areas.division"
    scope_field = "pk"
    icon = "group"
    form_fields = ["name", "code"]
    list_display = ["name", "code"]


class ForceViewSet(ScopedViewSetMixin, ModelViewSet):
    """The force's own name, reference prefix and branding (Administrators: areas.change_force)."""

    model = Force
    audit_name = "areas.force"
    scope_field = None
    icon = "cog"
    menu_label = "Force and branding"
    form_fields = ["name", "code", "short_code", "primary_colour", "logo_url", "website", "phone_non_emergency"]
    list_display = ["name", "code", "short_code"]
    add_view_enabled = False
    copy_view_enabled = False


class AreasGroup(ModelViewSetGroup):
    menu_label = "Areas"
    menu_icon = "site"
    menu_order = 200
    items = [
        NeighbourhoodViewSet("neighbourhoods"),
        StationViewSet("stations"),
        DivisionViewSet("divisions"),
        ForceViewSet("force"),
    ]


@hooks.register("register_admin_viewset")
def register_areas() -> AreasGroup:
    return AreasGroup()
