"""Background work of the duplicate suggestions (django-tasks; `manage.py worker` runs it)."""

from django_tasks import task

from tandem.triage import services


@task()
def triage_index_rebuild_task() -> list[int]:
    """Every ask and feature indexed again, after records arrived without their vectors (a
    workspace import): minutes for a large workspace, so never in a request."""
    features, asks = services.triage_index_rebuild()
    return [features, asks]
