"""A worker that died mid-task gets its task back when it starts again (deploy/systemd/tandem-worker.service)."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tandem.product.models import ScoringSettings
from tandem.product.tasks import feature_scores_recompute_task

# db_worker closes and reopens its connection between tasks, as in production: committed data only.
pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_the_task_a_dead_worker_left_running_is_run_again_when_it_restarts(settings):
    settings.TASKS = DATABASE_BACKEND
    ScoringSettings.objects.create(id=1)
    mine = feature_scores_recompute_task.enqueue()
    other = feature_scores_recompute_task.enqueue()
    # What a worker killed mid-task leaves: the task claimed, marked running, never finished.
    DBTaskResult.objects.filter(pk=mine.id).update(status="RUNNING", started_at=timezone.now(), worker_ids=["host-1"])
    DBTaskResult.objects.filter(pk=other.id).update(status="RUNNING", started_at=timezone.now(), worker_ids=["host-2"])

    call_command("tasks_resume", worker_id="host-1", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("db_worker", batch=True, worker_id="host-1", startup_delay=False, reload=False, verbosity=0)

    assert DBTaskResult.objects.get(pk=mine.id).status == "SUCCESSFUL"
    assert ScoringSettings.objects.get(id=1).recomputed_at is not None
    # Another worker's task may still be running there: left alone.
    assert DBTaskResult.objects.get(pk=other.id).status == "RUNNING"
