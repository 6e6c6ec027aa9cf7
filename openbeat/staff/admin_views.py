"""Back-office views scoped by division, for any model with a path to a Division.

Wagtail's generic model views check model-level permissions ("can change stations") only. These add the
division scope from `staff.scope.scope_for`: lists show only rows in scope, an object out of scope answers
403 whatever the URL says, form choices offer only divisions and neighbourhoods in scope (and are checked
again on save), and every create, change and delete is audit-logged.

A viewset mixes in `ScopedViewSetMixin` and sets `scope_field` (the Division path, e.g. "division" or
"neighbourhood__division") and `audit_name` (e.g. "areas.station").
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
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

    def check_in_scope(self, obj: Model) -> None:
        allowed = self.scope.force_wide if self.scope_field is None else self.scope.allows(obj, self.scope_field)
        if not allowed:
            raise PermissionDenied


class ScopedIndexView(ScopedMixin, generic.IndexView):
    def get_base_queryset(self) -> QuerySet[Any]:
        queryset = super().get_base_queryset()
        if self.scope_field is None:
            return queryset if self.scope.force_wide else queryset.none()
        return self.scope.filter(queryset, self.scope_field)


class ScopedFormMixin(ScopedMixin):
    """Offers only in-scope divisions and neighbourhoods, and refuses to save an object outside the scope."""

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)  # type: ignore[misc]
        for field in form.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            if queryset.model is Division:
                field.queryset = self.scope.filter(queryset, "pk")
            elif any(f.name == "division" for f in queryset.model._meta.get_fields()):
                field.queryset = self.scope.filter(queryset, "division")
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


class ScopedEditView(ScopedFormMixin, generic.EditView):
    def get_object(self, queryset: Any = None) -> Any:
        obj = super().get_object(queryset)
        self.check_in_scope(obj)
        return obj


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    def get_object(self, queryset: Any = None) -> Any:
        obj = super().get_object(queryset)
        self.check_in_scope(obj)
        return obj

    def delete_action(self) -> None:
        log_action(f"{self.audit_name}.delete", actor=self.request.user, target=self.object, request=self.request)
        super().delete_action()


class ScopedViewSetMixin:
    """Passes the viewset's scope_field and audit_name to its views."""

    scope_field: str | None = "division"
    audit_name = ""
    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    copy_view_enabled = False

    def _scope_kwargs(self) -> dict[str, Any]:
        return {"scope_field": self.scope_field, "audit_name": self.audit_name}

    def get_index_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_index_view_kwargs(**kwargs, **self._scope_kwargs())  # type: ignore[misc]

    def get_add_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_add_view_kwargs(**kwargs, **self._scope_kwargs())  # type: ignore[misc]

    def get_edit_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_edit_view_kwargs(**kwargs, **self._scope_kwargs())  # type: ignore[misc]

    def get_delete_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_delete_view_kwargs(**kwargs, **self._scope_kwargs())  # type: ignore[misc]
