"""The surveys' background tasks: they take ids and call the services (running one twice is harmless)."""

from __future__ import annotations

from django.tasks import task


@task()
def survey_export_task(export_id: int) -> str:
    """Build a requested export (surveys.exporting.export_run)."""
    from openbeat.surveys.exporting import export_run

    export = export_run(export_id=export_id)
    return f"export {export_id} {'built' if export is not None else 'not this run'}"


@task()
def index_cells_refresh(index_id: int, months: list[str] | None = None) -> str:
    """Recompute an index's cells, all of them or those of `months` ("YYYY-MM") (surveys.indices.cells_refresh):
    queued when its questions change."""
    from openbeat.surveys.indices import cells_refresh

    written = cells_refresh(index_id=index_id, months=months)
    return f"index {index_id}: {written} cells"
