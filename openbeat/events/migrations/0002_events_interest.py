from django.db import migrations

# The In the Know interest residents choose to hear about events. subscriptions seeds it ("events-pact",
# "Events and PACT meetings"); a database where it was removed gets it back here on the next free bit.
SLUG = "events-pact"


def ensure_interest(apps, schema_editor):
    Interest = apps.get_model("subscriptions", "Interest")
    if Interest.objects.filter(slug=SLUG).exists():
        return
    used = set(Interest.objects.values_list("bit", flat=True))
    bit = next(b for b in range(63) if b not in used)
    Interest.objects.create(
        slug=SLUG,
        name="Events in your neighbourhood",
        description="PACT meetings, beat surgeries, street stalls and crime-prevention sessions",
        kind="topic",
        bit=bit,
        sort_order=bit,
    )


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial"), ("subscriptions", "0002_seed_interests")]
    operations = [migrations.RunPython(ensure_interest, migrations.RunPython.noop)]
