"""OpenBeat's releases, as the migration tests and backups need them: each release's leaf migration per app.

There are no git tags yet, so a release is named here by the state of main at a commit. A release's leaves are
the schema a database of that release has: the upgrade tests (openbeat/core/tests/test_upgrade_migrations.py)
migrate a fresh database to them, fill it through the historical models and migrate it forward to the code's
own leaves; a backup made by that release restores into this code and is migrated forward the same way.

Add the newest release at the end when one is cut (its leaves: `manage.py showmigrations --plan`'s last
migration of each app, or the migration graph's leaf nodes at that commit). Django's, Wagtail's and the other
packages' apps are listed too, as their installed versions had them then.
"""

from __future__ import annotations

# "2026.12-stop28": main at 614e120 (the last landed stop, 2026-12-07).
RELEASES: dict[str, dict[str, str]] = {
    "2026.12-stop28": {
        "alerts": "0004_templates_saved_audiences",
        "areas": "0002_move_force_to_core",
        "audit": "0001_initial",
        "auth": "0012_alter_user_first_name_max_length",
        "axes": "0010_accessattemptexpiration",
        "campaigns": "0001_initial",
        "cap": "0001_initial",
        "concerns": "0002_seed_concerns",
        "contenttypes": "0002_remove_content_type_name",
        "core": "0006_email_branding",
        "crime": "0004_crime_counts",
        "delivery": "0007_delivery_neighbourhood",
        "demo": "0001_initial",
        "django_tasks_database": "0021_conditional_partial_index_ordering",
        "events": "0002_events_interest",
        "insights": "0003_report_build_options",
        "meetings": "0001_initial",
        "monitoring": "0001_initial",
        "news": "0001_initial",
        "otp_totp": "0003_add_timestamps",
        "priorities": "0001_initial",
        "reports": "0003_pact_source",
        "scheduler": "0002_job_runs",
        "schemes": "0001_initial",
        "sessions": "0001_initial",
        "social": "0003_inbox",
        "staff": "0002_login_failures_in_axes",
        "subscriptions": "0005_assisted_change",
        "surveys": "0001_initial",
        "taggit": "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        "volunteers": "0001_initial",
        "wagtailadmin": "0006_formstate",
        "wagtailcore": "0098_apitoken",
        "wagtaildocs": "0014_alter_document_file_size",
        "wagtailembeds": "0009_embed_cache_until",
        "wagtailforms": "0005_alter_formsubmission_form_data",
        "wagtailimages": "0027_image_description",
        "wagtailredirects": "0008_add_verbose_name_plural",
        "wagtailsearch": "0010_add_text_fields",
        "wagtailusers": "0015_userprofile_keyboard_shortcuts",
        "youth": "0001_initial",
    },
}


def previous_release() -> str:
    """The newest release before the code as it is now (the one upgrades are tested from)."""
    return list(RELEASES)[-1]


def release_targets(release: str) -> list[tuple[str, str]]:
    """The (app, migration) pairs a database of `release` has as its leaves, for MigrationExecutor.migrate."""
    return sorted(RELEASES[release].items())
