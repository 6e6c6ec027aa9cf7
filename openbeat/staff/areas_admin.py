"""The back office's Areas section: neighbourhoods, stations and divisions, scoped by division, and the force.

Registered from staff's wagtail_hooks: the views are scoped by staff's division scope, and areas sits below staff.
"""

from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from openbeat.areas.models import Division, Neighbourhood, Station
from openbeat.core.models import Force
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
    """The force's own name, reference prefix and branding (Administrators: core.change_force)."""

    model = Force
    # Still "areas.force" since the model moved to core, so the audit log's history of it reads as one.
    audit_name = "areas.force"
    scope_field = None
    icon = "cog"
    menu_label = "Force and branding"
    form_fields = [
        "name",
        "code",
        "short_code",
        "primary_colour",
        "logo",
        "logo_url",
        "website",
        "phone_non_emergency",
        "email_footer",
    ]
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
