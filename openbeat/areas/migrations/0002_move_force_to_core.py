"""The force is core's now (core.0005_force took over its table and rows): areas forgets it, in state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("areas", "0001_initial"),
        ("core", "0005_force"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Force")],
            database_operations=[],
        ),
    ]
