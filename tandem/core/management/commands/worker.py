"""`manage.py worker`: django-tasks-db's `db_worker`, made to outlive a busy or absent database.

The stock worker ignores a locked SQLite database only while claiming a task. Anywhere else — the
task's own writes, recording its result — "database is locked" (SQLite, under a burst of writes)
or a lost connection (PostgreSQL restarted) escapes its loop: with `--reload` the worker's thread
dies while the process stays up doing nothing, so a rescore stays "running" for ever. This worker:

- retries its loop after a database error, with a growing pause, instead of ending;
- puts back in the queue what it was running when the error struck (`tasks_requeue_of_worker`),
  and a task that failed because the database was busy or away, up to RETRIES times: Tandem's
  tasks are safe to run twice (they recompute from stored figures; an email is marked sent once);
- never reloads itself: `make run` restarts it if it still dies (docs/deploy.md for systemd).

Options are db_worker's (`--interval`, `--worker-id`, `--queue-name`…).
"""

import logging
import time
from typing import Any

from django.db import OperationalError, close_old_connections, connections
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from tandem.core.tasks_recovery import tasks_requeue_of_worker

logger = logging.getLogger("tandem.worker")

RETRIES = 5  # runs of a task that the database's absence or contention made fail
PAUSE_MAX = 15.0  # seconds between attempts once the database keeps failing


class Worker(db_worker.Worker):
    def run(self) -> None:
        pause = 0.5
        while self.running:
            try:
                super().run()
                return
            except OperationalError as error:
                logger.warning("The database is busy or away (%s): the worker tries again in %.0f s", error, pause)
                for connection in connections.all():
                    connection.close_if_unusable_or_obsolete()
                time.sleep(pause)
                pause = min(pause * 2, PAUSE_MAX)
                self._requeue_own()

    def _requeue_own(self) -> None:
        try:
            close_old_connections()
            for pk in tasks_requeue_of_worker(self.worker_id):
                logger.info("Queued again task %s, interrupted by the database error", pk)
        except OperationalError:
            pass  # still away: the next attempt requeues them

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status != TaskResultStatus.FAILED:
            return
        failed_runs = sum(1 for _ in db_task_result.worker_ids)
        error = db_task_result.exception_class_path + " " + (db_task_result.traceback or "")[-500:]
        if "OperationalError" in error and failed_runs <= RETRIES:
            DBTaskResult.objects.filter(pk=db_task_result.pk).update(
                status=TaskResultStatus.READY, started_at=None, finished_at=None
            )
            logger.warning("Task %s failed on a busy database; queued again (run %d)", db_task_result.pk, failed_runs)


class Command(db_worker.Command):
    help = "Run the background worker: db_worker that retries a busy or absent database instead of dying."

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        excluded = options["exclude_queues"]
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded.split(",") if excluded else [],
        )
        worker.configure_signals()
        worker.run()
