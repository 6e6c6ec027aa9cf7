"""The force moves from areas to core (core sits below areas and needs the branding), and gains a logo.

The table and its rows are kept: core takes over the model's state with the existing table (areas_force),
then renames the table to core_force. The content type is moved too (areas.force -> core.force), so the
permissions granted on it, and anything else pointing at it (the demo's register of its rows, Wagtail's
logs), carry over. areas' 0002 drops the model from areas' state only.
"""

from django.db import migrations, models

import openbeat.core.uploads


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="core", model="force").exists():
        ContentType.objects.using(db).filter(app_label="areas", model="force").update(app_label="core")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="areas", model="force").exists():
        ContentType.objects.using(db).filter(app_label="core", model="force").update(app_label="areas")


class Migration(migrations.Migration):

    dependencies = [
        ("areas", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_used_link"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Force",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.CharField(help_text="As data.police.uk names it, e.g. 'lancashire'.", max_length=40, unique=True)),
                        ("name", models.CharField(max_length=120)),
                        ("short_code", models.CharField(help_text="Prefix of reference numbers, e.g. 'LC' gives LC-2026-004213.", max_length=6)),
                        ("primary_colour", models.CharField(default="#1d3f72", max_length=7)),
                        ("logo_url", models.CharField(blank=True, max_length=300)),
                        ("website", models.URLField(blank=True)),
                        ("phone_non_emergency", models.CharField(default="101", max_length=40)),
                        ("boundaries_version", models.PositiveIntegerField(default=0, editable=False)),
                    ],
                    options={"db_table": "areas_force"},
                ),
            ],
            database_operations=[],
        ),
        # Now core's: the table takes core's name (a rename, rows untouched).
        migrations.AlterModelTable(name="force", table=None),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=False),
        migrations.AddField(
            model_name="force",
            name="logo",
            field=models.ImageField(
                blank=True,
                help_text="A PNG or JPG image, at most 2MB. Shown in the header of every public page.",
                upload_to="force/",
                validators=[openbeat.core.uploads.validate_logo_image],
            ),
        ),
        migrations.AlterField(
            model_name="force",
            name="logo_url",
            field=models.CharField(
                blank=True,
                help_text="The address of a logo hosted elsewhere, used when none is uploaded.",
                max_length=300,
            ),
        ),
    ]
