from django.db import migrations

# (slug, name, kind). Bits are assigned in this order and never reused: forces add more in the back office.
SEED = [
    ("emergency-warnings", "Emergency and urgent warnings", "topic"),
    ("crime-alerts", "Crime alerts and appeals", "topic"),
    ("crime-prevention", "Crime prevention advice", "topic"),
    ("roads-travel", "Roads and travel", "topic"),
    ("events-pact", "Events and PACT meetings", "topic"),
    ("business-crime", "Business crime", "topic"),
    ("rural-farm-watch", "Rural and farm watch", "topic"),
    ("allotment-watch", "Allotment watch", "topic"),
    ("recruitment", "Recruitment", "topic"),
    ("volunteering", "Volunteering", "topic"),
    ("young-people", "Young people", "topic"),
    ("cctv-owner", "CCTV owner", "group"),
    ("neighbourhood-watch-coordinator", "Neighbourhood Watch coordinator", "group"),
    ("business-owner", "Business owner", "group"),
    ("farmer-landowner", "Farmer or landowner", "group"),
]


def seed(apps, schema_editor):
    Interest = apps.get_model("subscriptions", "Interest")
    for bit, (slug, name, kind) in enumerate(SEED):
        Interest.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind, "bit": bit, "sort_order": bit})


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
