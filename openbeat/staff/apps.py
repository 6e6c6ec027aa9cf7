from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

from openbeat.core.users import RequestUser


def _sync_roles(sender: AppConfig, **kwargs: Any) -> None:
    # Permissions only exist once migrate's post_migrate has run for every app, so the role groups are
    # (re)built after the last app's, rather than in a data migration.
    from openbeat.core.apps import after_last_migrate

    if not after_last_migrate(sender):
        return
    from openbeat.staff.roles import roles_sync

    roles_sync()


def _log_login(sender: Any, request: Any, user: RequestUser, **kwargs: Any) -> None:
    # Django's login() is the one place every sign-in passes (password, then second factor), so the
    # signal is the reliable hook here; the audit entry is the only thing it does.
    from openbeat.audit.services import log_action

    log_action("staff.login.success", actor=user, request=request)


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Runs after axes' own receiver (axes is listed first in INSTALLED_APPS), so this failure is counted.
    from openbeat.staff.auth import login_failure_recorded, typed_username

    login_failure_recorded(request=request, username=typed_username(request, credentials))


class StaffConfig(AppConfig):
    name = "openbeat.staff"
    label = "staff"
    verbose_name = "Staff"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from openbeat.areas.sections import register_neighbourhood_section
        from openbeat.staff.selectors import neighbourhood_team_section

        # The public neighbourhood page (areas) shows the team through a section, as areas sits below staff.
        register_neighbourhood_section(
            "team", template="staff/neighbourhood_team.html", context=neighbourhood_team_section, order=10
        )
        post_migrate.connect(_sync_roles, dispatch_uid="openbeat.staff.roles_sync")
        user_logged_in.connect(_log_login, dispatch_uid="openbeat.staff.log_login")
        user_login_failed.connect(_login_failed, dispatch_uid="openbeat.staff.login_failed")
