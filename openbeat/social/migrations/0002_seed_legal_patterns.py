"""Starting legal-risk wordings; HQ edits them in the back office (Snippets > Legal patterns)."""

from django.db import migrations

_WORDS = r"(guilty|thug|monster|evil|killer|murderer|paedophile|rapist|beast|vile|scum)"

PATTERNS = [
    (
        "A person charged may be described in a way that risks contempt of court",
        rf"\bcharged\b.{{0,200}}\b{_WORDS}\b|\b{_WORDS}\b.{{0,200}}\bcharged\b",
    ),
    (
        "A child may be named or identified",
        r"\baged\s+([1-9]|1[0-7])\b|\b([1-9]|1[0-7])[- ]year[- ]old\b|\b(schoolboy|schoolgirl|pupil)\b",
    ),
    ("A victim may be named", r"\bvictim\b.{0,40}\b(named|called|name[sd]?)\b"),
]


def seed(apps, schema_editor):
    LegalPattern = apps.get_model("social", "LegalPattern")
    LedgerHead = apps.get_model("social", "LedgerHead")
    for label, pattern in PATTERNS:
        LegalPattern.objects.get_or_create(label=label, defaults={"pattern": pattern})
    LedgerHead.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("social", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
