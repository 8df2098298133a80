"""Background work of imports (django-tasks; `manage.py worker` runs it)."""

from django_tasks import task

from tandem.imports import services


@task()
def import_job_run_task(job_id: int) -> str:
    """Check an import's rows, then write them: the page follows its progress."""
    return services.import_job_run(job_id=job_id).status
