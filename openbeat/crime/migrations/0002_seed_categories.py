"""data.police.uk's crime categories (crime.categories), so imports and the API have them from the start."""

from django.db import migrations

# A copy, not an import: a migration must not change when the module does.
CATEGORIES = [
    ("anti-social-behaviour", "Anti-social behaviour"),
    ("bicycle-theft", "Bicycle theft"),
    ("burglary", "Burglary"),
    ("criminal-damage-arson", "Criminal damage and arson"),
    ("drugs", "Drugs"),
    ("other-theft", "Other theft"),
    ("possession-of-weapons", "Possession of weapons"),
    ("public-order", "Public order"),
    ("robbery", "Robbery"),
    ("shoplifting", "Shoplifting"),
    ("theft-from-the-person", "Theft from the person"),
    ("vehicle-crime", "Vehicle crime"),
    ("violent-crime", "Violence and sexual offences"),
    ("other-crime", "Other crime"),
    ("public-disorder-weapons", "Public disorder and weapons"),
]


def seed(apps, schema_editor):
    CrimeCategory = apps.get_model("crime", "CrimeCategory")
    for index, (slug, name) in enumerate(CATEGORIES):
        CrimeCategory.objects.update_or_create(slug=slug, defaults={"name": name, "sort_order": index})


class Migration(migrations.Migration):
    dependencies = [("crime", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
