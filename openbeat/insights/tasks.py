"""Background work for insights imports: tasks take ids and call the code that does the work."""

from django.tasks import task

from openbeat.insights.services import import_run


@task()
def import_task(batch_id: int) -> None:
    """Import an uploaded file of figures (see services.import_run; running it twice is harmless)."""
    import_run(batch_id=batch_id)
