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

from tandem.core.tasks_recovery import tasks_requeue_of_worker


class Command(BaseCommand):
    help = "Queue again the tasks left running by a worker with this id (run before starting that worker)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--worker-id", required=True, help="The id the worker is started with (worker --worker-id)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        for pk in tasks_requeue_of_worker(worker_id):
            self.stdout.write(f"Queued again task {pk}, left running by worker {worker_id}")
