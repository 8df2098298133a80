"""Background work of forecasts (django-tasks; `manage.py worker` runs it)."""

from django_tasks import task
from django_tasks_db.models import DBTaskResult  # the database backend's own queue

from tandem.forecasting import services


@task()
def forecast_snapshot_task() -> int:
    """Take this week's snapshot unless it was taken; returns how many snapshot rows it wrote."""
    taken = services.forecast_snapshot_take()
    return taken.snapshots if taken else 0


def forecast_snapshot_enqueue_if_due() -> bool:
    """Queue this week's snapshot when it is due and no worker has it queued or running: the first
    forecast page (or API read) of a week does this, so the history needs neither cron nor broker.
    Returns whether it queued one."""
    if not services.forecast_snapshot_due():
        return False
    func = forecast_snapshot_task.func
    path = f"{func.__module__}.{func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
        return False
    forecast_snapshot_task.enqueue()
    return True
