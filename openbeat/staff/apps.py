from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    # Permissions only exist once migrate's post_migrate has run for every app, so the role groups are
    # (re)built after the last app's, rather than in a data migration.
    from openbeat.core.apps import after_last_migrate

    if not after_last_migrate(sender):
        return
    from openbeat.staff.roles import roles_sync

    roles_sync()


class StaffConfig(AppConfig):
    name = "openbeat.staff"
    label = "staff"
    verbose_name = "Staff"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, dispatch_uid="openbeat.staff.roles_sync")
