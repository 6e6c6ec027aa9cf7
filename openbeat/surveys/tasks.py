"""The surveys' background tasks: they take ids and call the services (running one twice is harmless)."""

from __future__ import annotations

from django.tasks import task


@task()
def survey_export_task(export_id: int) -> str:
    """Build a requested export (surveys.exporting.export_run)."""
    from openbeat.surveys.exporting import export_run

    export = export_run(export_id=export_id)
    return f"export {export_id} {'built' if export is not None else 'not this run'}"
