"""Wagtail permission policies shared by the back office's model viewsets."""

from __future__ import annotations

from typing import Any

from wagtail.permission_policies import ModelPermissionPolicy

from openbeat.core.users import RequestUser


class NoDeletePermissionPolicy(ModelPermissionPolicy):
    """The model's own permissions, except that nobody may delete: rows are deactivated instead (other rows or
    people rely on them). Nobody is offered a delete button or reaches the delete view, superusers included."""

    def user_has_permission(self, user: RequestUser, action: str) -> bool:
        return action != "delete" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user: RequestUser, actions: Any) -> bool:
        return super().user_has_any_permission(user, [action for action in actions if action != "delete"])

    def users_with_any_permission(self, actions: Any) -> Any:
        return super().users_with_any_permission([action for action in actions if action != "delete"])
