from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0004_social_queued_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="socialaccount",
            name="is_demo",
            field=models.BooleanField(default=False, editable=False),
        ),
    ]
