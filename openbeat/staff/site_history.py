"""Wagtail's site history report (/admin/reports/site-history/), limited to the user's division scope.

Wagtail lists every log entry of any content type the user holds a permission on, so a West division lead
read East's edits, object names and editors there. This report shows force-wide staff (`scope_for`) what
Wagtail shows them. Anyone else sees only the entries of objects that are in their scope now, of the models a
division-scoped viewset (`ScopedViewSetMixin`) manages, by that viewset's `scope_field`. Every other entry is
left out for them: pages, images and Wagtail's other objects (they have no division), force-wide models
(`scope_field = None`), and objects since deleted (their division can no longer be told). The filters' users,
actions and types come from the same entries, and an export is audit-logged ("staff.sitehistory.exported").

Wagtail's admin mounts its own report under admin/reports/, before any `register_admin_urls` hook's URLs, so
a hook cannot replace it: `openbeat/urls.py` mounts `urlpatterns` below at the same paths ahead of Wagtail's
admin. `reverse("wagtailadmin_reports:site_history")` and the menu item still name those paths.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.admin.viewsets import viewsets as registered_viewsets
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry
from wagtail.utils.urlpatterns import decorate_urlpatterns

from openbeat.audit.services import log_action
from openbeat.core.users import RequestUser
from openbeat.staff.admin_views import ScopedViewSetMixin
from openbeat.staff.scope import scope_for


def division_paths() -> dict[type[Model], set[str | None]]:
    """Each model a division-scoped viewset manages, with the Division path(s) its viewsets scope it by."""
    paths: dict[type[Model], set[str | None]] = defaultdict(set)
    for viewset in registered_viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if isinstance(viewset, ScopedViewSetMixin) and isinstance(model, type):
            paths[model].add(viewset.scope_field)
    return paths


def log_entries_in_scope(queryset: QuerySet[Any], user: RequestUser) -> QuerySet[Any]:
    """Limit a queryset of Wagtail log entries to the objects in `user`'s division scope."""
    scope = scope_for(user)
    if scope.force_wide:
        return queryset
    if not issubclass(queryset.model, ModelLogEntry):
        return queryset.none()  # pages: no division
    allowed = Q()
    for model, fields in division_paths().items():
        if None in fields:
            continue  # force-wide only
        objects = model._default_manager.all()
        for field in fields:
            objects = scope.filter(objects, str(field))
        # ModelLogEntry.object_id is text.
        ids = objects.annotate(logged_id=Cast("pk", output_field=CharField())).values("logged_id")
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        allowed |= Q(content_type_id=content_type.pk, object_id__in=ids)
    return queryset.filter(allowed) if allowed else queryset.none()


def _viewable(user: RequestUser) -> list[Any]:
    """Each log model's entries that `user` may see (LogEntryQuerySets)."""
    return [
        log_entries_in_scope(log_model.objects.viewable_by_user(user), user)
        for log_model in log_action_registry.get_log_entry_models()
    ]


def _content_types(user: RequestUser) -> QuerySet[ContentType]:
    ids = set().union(*(entries.get_content_type_ids() for entries in _viewable(user)))
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class ScopedSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    """Offers only the users, actions and types of the entries the user may see."""

    object_type = ContentTypeFilter(
        label=_("Type"),
        method="filter_object_type",
        queryset=lambda request: _content_types(request.user),
    )

    def get_action_choices(self) -> list[tuple[str, Any]]:
        actions = set().union(*(entries.get_actions() for entries in _viewable(self.request.user)))
        return [choice for choice in log_action_registry.get_choices() if choice[0] in actions]

    def get_users_queryset(self) -> QuerySet[Any]:
        # Wagtail's own lists everyone who ever edited a page, whatever the viewer may see.
        ids = set().union(*(entries.get_user_ids() for entries in _viewable(self.request.user)))
        User = get_user_model()
        return User.objects.filter(pk__in=ids).order_by(User.USERNAME_FIELD)


class ScopedLogEntriesView(LogEntriesView):
    filterset_class = ScopedSiteHistoryFilterSet

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # LogEntriesView.get_filtered_queryset calls this with each log model's entries before it joins them
        # (the listing, its results and its export all come from there).
        return super().filter_queryset(log_entries_in_scope(queryset, self.request.user))

    def as_spreadsheet(self, queryset: Any, spreadsheet_format: str) -> Any:
        log_action(
            "staff.sitehistory.exported",
            actor=self.request.user,
            data={
                "format": spreadsheet_format,
                "rows": len(queryset),
                "filters": {k: v for k, v in self.request.GET.lists() if k != "export"},
            },
            request=self.request,
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)


urlpatterns: list[URLPattern] = decorate_urlpatterns(
    decorate_urlpatterns(
        [
            path("", ScopedLogEntriesView.as_view()),
            path("results/", ScopedLogEntriesView.as_view(results_only=True)),
        ],
        require_admin_access,
    ),
    never_cache,
)
