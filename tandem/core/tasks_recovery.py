"""Putting back in the queue the background tasks a worker was running when it stopped.

db_worker records which worker claimed a task and marks it finished only when it ends. A worker
killed mid-task (the database restarted under it, the machine rebooted, the OOM killer) leaves the
task marked running for ever, and nothing runs it again. Tandem's tasks are safe to run twice (a
recompute starts from stored figures; an email is marked sent once the server accepted it).
"""

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


@transaction.atomic
def tasks_requeue_of_worker(worker_id: str) -> list[str]:
    """Queue again the tasks last claimed by `worker_id` and still marked running; returns their ids.

    Call it only when that worker cannot be running them: it is the one starting, or it caught the
    error that stopped them.
    """
    running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
    # The last id is the worker that claimed it last; few tasks run at once, so read them all.
    interrupted = [str(task.pk) for task in running if task.worker_ids and task.worker_ids[-1] == worker_id]
    DBTaskResult.objects.filter(pk__in=interrupted).update(status=TaskResultStatus.READY, started_at=None)
    return interrupted
