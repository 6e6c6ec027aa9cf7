from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.db.models.signals import post_migrate


def _is_test_database(using: str) -> bool:
    connection = connections[using]
    # The test runner renames the connection's database while it creates it: "test_<name>", or SQLite's
    # in-memory test database.
    name = str(connection.settings_dict["NAME"])
    test_name = getattr(connection.creation, "_get_test_db_name", lambda: None)()
    return name.startswith(TEST_DATABASE_PREFIX) or name == test_name


def seeding_wanted(using: str = DEFAULT_DB_ALIAS) -> bool:
    """REPORTS_SEED_ON_MIGRATE if set; otherwise every database except a test one, so that each test builds
    exactly the report types it describes (set it to True to test with the defaults)."""
    wanted = getattr(settings, "REPORTS_SEED_ON_MIGRATE", None)
    return bool(wanted) if wanted is not None else not _is_test_database(using)


def _seed_report_types(sender: AppConfig, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    # After the last app: the Professional Standards group needs every app's permissions to exist.
    from openbeat.core.apps import after_last_migrate

    if not after_last_migrate(sender) or not seeding_wanted(using):
        return
    from openbeat.reports.seed import report_types_seed

    report_types_seed()


class ReportsConfig(AppConfig):
    name = "openbeat.reports"
    label = "reports"
    verbose_name = "Do It Online"

    def ready(self) -> None:
        from openbeat.core.metric_sources import register_metric_source
        from openbeat.reports.metrics import report_figures

        register_metric_source("reports", report_figures)
        post_migrate.connect(_seed_report_types, dispatch_uid="openbeat.reports.report_types_seed")
