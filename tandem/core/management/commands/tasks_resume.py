"""`manage.py tasks_resume --worker-id ID`: queue again the tasks this worker was running when it died.

db_worker records which worker claimed a task, and marks the task finished only when it ends. A
worker killed mid-task (the database restarted under it, the machine rebooted, the OOM killer)
leaves the task marked running for ever, and nothing runs it again: after an exchange-rate
correction, the deals it converts would keep their old home amounts. deploy/systemd/tandem-worker.service
runs this before each start of a worker with a fixed id: whatever that id still shows as running
cannot be running anywhere, since it is the one starting. Tandem's tasks are safe to run twice
(a recompute starts from stored figures; an email is marked sent once the server accepted it).
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Queue again the tasks left running by a worker with this id (run before starting that worker)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--worker-id", required=True, help="The id the worker is started with (db_worker --worker-id)."
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
        # The last id is the worker that claimed it last; few tasks run at once, so read them all.
        interrupted = [task.pk for task in running if task.worker_ids and task.worker_ids[-1] == worker_id]
        DBTaskResult.objects.filter(pk__in=interrupted).update(status=TaskResultStatus.READY, started_at=None)
        for pk in interrupted:
            self.stdout.write(f"Queued again task {pk}, left running by worker {worker_id}")
