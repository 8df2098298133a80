"""Background work of launches: the product digest (django-tasks; `manage.py worker` runs it)."""

from django_tasks import task
from django_tasks_db.models import DBTaskResult

from tandem.launches import digest
from tandem.launches.models import DigestDelivery


@task()
def digests_send_task() -> int:
    return digest.digests_send()


def digests_enqueue() -> bool:
    """Queue the digest run unless one is queued or running; each reader gets a period's digest once
    whatever the number of runs. The digest page queues it, as the forecast page takes its snapshot;
    installations that want a fixed hour run `manage.py digest_send` from a timer."""
    if DigestDelivery.objects.filter(period_key=digest.digest_period_key()).exists():
        return False  # this period went out
    func = digests_send_task.func
    path = f"{func.__module__}.{func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
        return False
    digests_send_task.enqueue()
    return True
