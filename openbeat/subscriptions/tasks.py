"""Background work for subscriptions: tasks take ids and call the code that does the work."""

from django.tasks import task

from openbeat.subscriptions.importers import import_job_run


@task()
def import_job_task(job_id: int) -> None:
    """Import an uploaded file of subscribers (see importers.import_job_run; running it twice is harmless)."""
    import_job_run(job_id=job_id)
