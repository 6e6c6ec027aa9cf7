"""The database cache's table (settings.CACHES without Redis): rate-limit counters shared by every process.

Created here, not by a separate `createcachetable` step, so that `migrate` alone readies a new machine; created
whatever CACHES says today, so that turning Redis off later needs nothing more.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "openbeat_cache"


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    # createcachetable opens its own transaction on SQLite; it is idempotent (an existing table is left alone).
    atomic = False

    dependencies = [("core", "0002_transactionalmessage")]

    operations = [migrations.RunPython(create, drop)]
