"""Back-office views scoped by division, for any model with a path to a Division.

Wagtail's generic model views check model-level permissions ("can change stations") only. These add the
division scope from `staff.scope.scope_for`: lists show only rows in scope, an object out of scope answers
403 whatever the URL says, form choices offer only divisions and neighbourhoods in scope (and are checked
again on save), and every create, change and delete is audit-logged.

A viewset mixes in `ScopedViewSetMixin` and sets `scope_field` (the Division path, e.g. "division" or
"neighbourhood__division") and `audit_name` (e.g. "areas.station"). The mixin scopes every view the viewset
builds, not a list of them: `construct_view` (which Wagtail's ModelViewSet, SnippetViewSet and ChooserViewSet
call for each of their views) gives each view class the scope, so edit, delete, history, usage, inspect,
copy, the listing and its CSV/XLSX export, chooser views, and any view a later Wagtail adds are all covered.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, QuerySet
from django.utils.functional import cached_property
from wagtail.admin.views.generic import ReorderView, chooser
from wagtail.admin.views.generic import models as generic

from openbeat.areas.models import Division
from openbeat.audit.services import log_action
from openbeat.staff.scope import Scope, scope_for


class ScopedMixin:
    # None: the model belongs to no division (e.g. the force itself): only force-wide staff reach it.
    scope_field: str | None = "division"
    audit_name = ""
    request: Any

    @property
    def scope(self) -> Scope:
        return scope_for(self.request.user)

    def in_scope(self, obj: Model) -> bool:
        return self.scope.force_wide if self.scope_field is None else self.scope.allows(obj, self.scope_field)

    def check_in_scope(self, obj: Model) -> None:
        if not self.in_scope(obj):
            raise PermissionDenied

    def scope_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.scope_field is None:
            return queryset if self.scope.force_wide else queryset.none()
        return self.scope.filter(queryset, self.scope_field)

    def scope_choices(self, fields: Any) -> None:
        """Offer only in-scope divisions, and rows of models with a division, in these form fields."""
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            if queryset.model is Division:
                field.queryset = self.scope.filter(queryset, "pk")
            elif any(f.name == "division" for f in queryset.model._meta.get_fields()):
                field.queryset = self.scope.filter(queryset, "division")


class ScopedObjectMixin(ScopedMixin):
    """The object a URL names (edit, delete, history, usage, inspect, copy, chosen...) is refused out of scope."""

    def get_object(self, *args: Any, **kwargs: Any) -> Any:
        obj = super().get_object(*args, **kwargs)  # type: ignore[misc]
        if obj is not None:
            self.check_in_scope(obj)
        return obj


class ScopedListingMixin(ScopedMixin):
    """A listing (and its export) shows only rows in scope; its filters offer only in-scope choices.

    A listing exports (`?export=csv` or `xlsx`) only if its viewset names the columns (`list_export`): without
    them Wagtail would still answer with a file of blank rows. Every export is audit-logged
    ("<audit_name>.exported").
    """

    def setup(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)  # type: ignore[misc]
        if not self.list_export:  # type: ignore[attr-defined]
            self.is_export = False  # the listing page itself, as for any other value of "export"

    def as_spreadsheet(self, queryset: Any, spreadsheet_format: str) -> Any:
        log_action(
            f"{self.audit_name}.exported",
            actor=self.request.user,
            data={
                "format": spreadsheet_format,
                "rows": queryset.count(),
                "filters": {k: v for k, v in self.request.GET.lists() if k != "export"},
            },
            request=self.request,
        )
        return super().as_spreadsheet(queryset, spreadsheet_format)  # type: ignore[misc]

    def get_base_queryset(self) -> QuerySet[Any]:
        return self.scope_queryset(super().get_base_queryset())  # type: ignore[misc]

    @cached_property
    def filters(self) -> Any:
        filters = super().filters  # type: ignore[misc]
        if filters is not None:
            self.scope_choices(filters.form.fields)
        return filters


class ScopedChooserMixin(ScopedMixin):
    """A chooser lists, and answers "chosen" with, only rows in scope; its creation form saves only in scope."""

    def get_object_list(self) -> Any:
        return self.scope_queryset(super().get_object_list())  # type: ignore[misc]

    def get_objects(self, pks: Any) -> Any:
        return self.scope_queryset(super().get_objects(pks))  # type: ignore[misc]

    def save_form(self, form: Any) -> Any:
        self.check_in_scope(form.instance)
        return super().save_form(form)  # type: ignore[misc]


@cache
def scoped_view_class(view_class: type) -> type:
    """`view_class` with the division scope, for every kind of view a Wagtail viewset builds."""
    if issubclass(view_class, ReorderView):
        # It moves one row among all of them, whatever their division: a scoped viewset has no reordering.
        raise ImproperlyConfigured("A division-scoped viewset cannot reorder its rows: set sort_order_field = None")
    mixins: list[type] = []
    if issubclass(view_class, generic.IndexView) and not issubclass(view_class, ScopedListingMixin):
        mixins.append(ScopedListingMixin)
    if issubclass(view_class, (chooser.BaseChooseView, chooser.ChosenMultipleViewMixin, chooser.CreateViewMixin)):
        mixins.append(ScopedChooserMixin)
    if hasattr(view_class, "get_object") and not issubclass(view_class, ScopedObjectMixin):
        mixins.append(ScopedObjectMixin)
    if not mixins and not issubclass(view_class, ScopedMixin):
        # A view with neither an object nor a list: nothing to scope, but it still knows its scope_field.
        mixins.append(ScopedMixin)
    if not mixins:
        return view_class
    return type(view_class.__name__, (*mixins, view_class), {"__module__": view_class.__module__})


class ScopedIndexView(ScopedListingMixin, generic.IndexView):
    pass


class ScopedFormMixin(ScopedMixin):
    """Offers only in-scope divisions and neighbourhoods, and refuses to save an object outside the scope."""

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)  # type: ignore[misc]
        self.scope_choices(form.fields)
        return form

    def save_instance(self) -> Any:
        self.check_in_scope(self.form.instance)  # type: ignore[attr-defined]
        instance = super().save_instance()  # type: ignore[misc]
        verb = "create" if isinstance(self, generic.CreateView) else "change"
        changed = list(getattr(self.form, "changed_data", []))  # type: ignore[attr-defined]
        log_action(
            f"{self.audit_name}.{verb}",
            actor=self.request.user,
            target=instance,
            data={"fields": changed},
            request=self.request,
        )
        return instance


class ScopedCreateView(ScopedFormMixin, generic.CreateView):
    pass


class ScopedEditView(ScopedObjectMixin, ScopedFormMixin, generic.EditView):
    pass


class ScopedCopyView(ScopedObjectMixin, ScopedFormMixin, generic.CopyView):
    pass


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    def delete_action(self) -> None:
        log_action(f"{self.audit_name}.delete", actor=self.request.user, target=self.object, request=self.request)
        super().delete_action()


class ScopedViewSetMixin:
    """Gives every view of the viewset its scope_field and audit_name, and the division scope."""

    scope_field: str | None = "division"
    audit_name = ""
    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    copy_view_class = ScopedCopyView
    copy_view_enabled = False
    sort_order_field = None  # no reordering (see scoped_view_class)

    def construct_view(self, view_class: Any, **kwargs: Any) -> Any:
        return super().construct_view(  # type: ignore[misc]
            scoped_view_class(view_class), **kwargs, scope_field=self.scope_field, audit_name=self.audit_name
        )
