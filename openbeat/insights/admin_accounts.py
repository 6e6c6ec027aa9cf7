"""Back-office editing of reporting groups, channel accounts and metrics (force-wide, audit-logged).

The viewsets' menu items go in the Insights menu (`register_insights_menu_item`, the group's submenu hook).
A metric's slug and aggregation are fixed once it has figures, and standard metrics are never deleted:
imports and reports name metrics by slug, and changing how one adds up would change every figure shown. A group
that figures count for (an account's figures for another division) is not deleted either. Groups are listed,
and reported, in their sort order (the force's; an import puts new ones after the others in the file's order).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.viewsets.model import ModelViewSet

from openbeat.insights.models import Account, Metric, ReportingGroup
from openbeat.insights.views import imports
from openbeat.staff.admin_views import ScopedDeleteView, ScopedViewSetMixin

INSIGHTS_MENU_HOOK = "register_insights_menu_item"  # wagtail_hooks.INSIGHTS_MENU_HOOK (which imports this module)


class ReportingGroupDeleteView(ScopedDeleteView):
    def get_object(self, queryset: Any = None) -> Any:
        obj = super().get_object(queryset)
        if obj.attributed_observations.exists():
            raise PermissionDenied
        return obj


class ReportingGroupViewSet(ScopedViewSetMixin, ModelViewSet):
    model = ReportingGroup
    audit_name = "insights.reportinggroup"
    scope_field = None  # force-wide
    icon = "group"
    menu_label = "Reporting groups"
    menu_order = 60
    menu_hook = INSIGHTS_MENU_HOOK
    delete_view_class = ReportingGroupDeleteView
    form_fields = ["name", "slug", "division", "sort_order"]
    list_display = ["name", "division", "sort_order"]
    search_fields = ["name"]


class AccountViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Account
    audit_name = "insights.account"
    scope_field = None
    icon = "site"
    menu_label = "Channel accounts"
    menu_order = 50
    menu_hook = INSIGHTS_MENU_HOOK
    form_fields = ["platform", "name", "group", "is_channel_total", "active"]
    list_display = [
        "name",
        "platform",
        "group",
        BooleanColumn("is_channel_total", label="Channel total"),
        BooleanColumn("active", label="Active"),
    ]
    list_filter = ["platform", "group", "active", "is_channel_total"]
    search_fields = ["name"]


class MetricForm(WagtailAdminModelForm):
    class Meta:
        model = Metric
        fields = ["slug", "name", "aggregation", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and (self.instance.standard or self.instance.observations.exists()):
            for name in ("slug", "aggregation"):
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed: figures are recorded under it."

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if Metric.objects.exclude(pk=self.instance.pk).filter(slug=slug).exists():
            raise ValidationError("A metric with this short name exists already.")
        return slug


class MetricDeleteView(ScopedDeleteView):
    def get_object(self, queryset: Any = None) -> Any:
        obj = super().get_object(queryset)
        if obj.standard or obj.observations.exists():
            raise PermissionDenied
        return obj


class MetricViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Metric
    audit_name = "insights.metric"
    scope_field = None
    icon = "table"
    menu_label = "Metrics"
    menu_order = 70
    menu_hook = INSIGHTS_MENU_HOOK
    delete_view_class = MetricDeleteView
    list_display = ["name", "slug", "aggregation", BooleanColumn("standard", label="Standard")]
    list_filter = ["aggregation", "standard"]
    search_fields = ["name", "slug"]

    def get_form_class(self, for_update: bool = False) -> Any:
        return MetricForm


class PermissionMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return request.user.has_perm(imports.IMPORT_PERMISSION)


@hooks.register("register_admin_viewset")
def register_insights_viewsets() -> list[ModelViewSet]:
    return [
        ReportingGroupViewSet("insights_groups", url_prefix="insights/groups"),
        AccountViewSet("insights_accounts", url_prefix="insights/accounts"),
        MetricViewSet("insights_metrics", url_prefix="insights/metrics"),
    ]


@hooks.register(INSIGHTS_MENU_HOOK)
def register_import_menu_item() -> MenuItem:
    return PermissionMenuItem("Import figures", reverse_lazy("insights_staff:imports"), icon_name="upload", order=30)


@hooks.register(INSIGHTS_MENU_HOOK)
def register_manual_menu_item() -> MenuItem:
    return PermissionMenuItem("Enter figures", reverse_lazy("insights_staff:manual"), icon_name="edit", order=40)
