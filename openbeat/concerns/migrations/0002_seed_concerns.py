from django.db import migrations

# The force's starting list: staff change it in the back office (Concerns list).
SEED = [
    "Speeding",
    "Anti-social behaviour",
    "Drug dealing",
    "Burglary",
    "Vehicle crime",
    "Parking problems",
    "Litter, fly-tipping and graffiti",
    "Violence and intimidation",
    "Shoplifting and business crime",
    "Rural crime",
]


def seed(apps, schema_editor):
    Concern = apps.get_model("concerns", "Concern")
    for order, name in enumerate(SEED, start=1):
        Concern.objects.get_or_create(name=name, defaults={"order": order * 10, "active": True})


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
