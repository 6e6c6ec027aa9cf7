"""The back office's residents' concerns: the force's list of concerns, and each neighbourhood's monthly results."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from openbeat.concerns.models import Concern
from openbeat.concerns.views import staff
from openbeat.staff.admin_views import ScopedViewSetMixin


class ConcernViewSet(ScopedViewSetMixin, ModelViewSet):
    """The force's list: no division, so only force-wide roles (HQ) reach it; every change audit-logged."""

    model = Concern
    scope_field = None
    audit_name = "concerns.concern"
    icon = "list-ul"
    menu_label = "Concerns list"
    menu_order = 271
    add_to_admin_menu = True
    form_fields = ["name", "active", "order"]
    list_display = ["name", "active", "order"]
    list_filter = ["active"]


@hooks.register("register_admin_viewset")
def register_concern_viewset() -> ConcernViewSet:
    return ConcernViewSet("concerns_list")


@hooks.register("register_admin_urls")
def register_concern_results_urls() -> list:
    patterns = [path("", staff.results, name="results")]
    return [path("concern-results/", include((patterns, "concerns_staff")))]


class ResultsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.user.has_perm(staff.PERMISSION))


@hooks.register("register_admin_menu_item")
def register_concern_results_menu_item() -> MenuItem:
    return ResultsMenuItem("Residents' concerns", reverse("concerns_staff:results"), icon_name="group", order=270)
