from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def after_last_migrate(sender: AppConfig) -> bool:
    """post_migrate fires once per app; work that needs every table and permission waits for the last."""
    return sender is [c for c in apps.get_app_configs() if c.models_module is not None][-1]


def _ensure_site_pages(sender: AppConfig, **kwargs: Any) -> None:
    # Not a data migration: the page tree is built with the real Wagtail models, whose later fields a
    # historical migration would not know.
    if after_last_migrate(sender):
        from openbeat.core.services import site_pages_ensure

        site_pages_ensure()


class CoreConfig(AppConfig):
    name = "openbeat.core"
    label = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        from openbeat.core import pagecache, static_check  # noqa: F401  (static_check registers a check)

        pagecache.connect_signals()

        post_migrate.connect(_ensure_site_pages, dispatch_uid="openbeat.core.site_pages_ensure")
