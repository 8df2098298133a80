"""The probes a load balancer, systemd and monitoring call, and what any request answers while the
database is away (docs/deploy.md)."""

import datetime
import json

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tandem.core.tests.processes import database_url, free_port, gunicorn, production_env
from tandem.product.tasks import feature_scores_recompute_task

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _body(response) -> dict:
    return json.loads(response.content)


def test_health_answers_anyone_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:health"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/health+json"
    assert _body(response) == {"status": "pass"}
    assert "no-store" in response["Cache-Control"]


def test_ready_passes_on_a_migrated_database(client):
    response = client.get(reverse("core:ready"))

    assert response.status_code == 200
    body = _body(response)
    assert body["status"] == "pass"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "pass",
        "migrations": "pass",
        "worker": "pass",
    }


def test_ready_refuses_traffic_until_every_migration_is_applied_and_names_none(client):
    MigrationRecorder(connection).record_unapplied("core", "0001_initial")

    response = client.get(reverse("core:ready"))

    assert response.status_code == 503
    body = _body(response)
    assert body["status"] == "fail"
    assert body["checks"]["migrations"] == {"status": "fail", "pending": 1}
    assert b"0001" not in response.content  # which ones is for the log, not for whoever asks


def test_ready_warns_when_tasks_wait_for_the_worker_but_keeps_serving(client, settings):
    settings.TASKS = DATABASE_BACKEND
    feature_scores_recompute_task.enqueue()
    assert client.get(reverse("core:ready")).json()["checks"]["worker"]["status"] == "pass"

    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=10))
    response = client.get(reverse("core:ready"))

    assert response.status_code == 200  # pages work without the worker; only its work waits
    body = _body(response)
    assert body["status"] == "warn"
    assert body["checks"]["worker"]["status"] == "warn"
    assert body["checks"]["worker"]["observedValue"] >= 600


def test_ready_warns_about_tasks_a_database_outage_left_failed_or_running(client, settings):
    settings.TASKS = DATABASE_BACKEND
    feature_scores_recompute_task.enqueue()
    feature_scores_recompute_task.enqueue()
    failed, stuck = DBTaskResult.objects.all()
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1, minutes=5)
    DBTaskResult.objects.filter(pk=failed.pk).update(status="FAILED", finished_at=timezone.now())
    DBTaskResult.objects.filter(pk=stuck.pk).update(status="RUNNING", started_at=an_hour_ago)

    worker = client.get(reverse("core:ready")).json()["checks"]["worker"]

    assert worker == {
        "status": "warn",
        "observedValue": 0,
        "observedUnit": "s",
        "failed_last_day": 1,
        "running_over_an_hour": 1,
    }


def test_probes_answer_plain_http_while_pages_redirect_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("dashboards:home")).status_code == 301
    assert client.get(reverse("core:health")).status_code == 200
    assert client.get(reverse("core:ready")).status_code == 200


def test_every_request_answers_503_not_500_while_the_database_is_away(tmp_path):
    # A real server whose PostgreSQL refuses connections (nothing listens on the port).
    unreachable = f"postgres://tandem@127.0.0.1:{free_port()}/tandem"
    with gunicorn(production_env(unreachable), tmp_path / "gunicorn.log") as server:
        assert server.get("/health/").status == 200

        ready = server.get("/ready/")
        assert ready.status == 503
        assert json.loads(ready.body) == {
            "status": "fail",
            "checks": {"database": {"status": "fail"}, "migrations": {"status": "fail"}, "worker": {"status": "fail"}},
        }

        page = server.get("/", headers={"Cookie": "__Host-tandem_session=someone-signed-in"})
        assert page.status == 503
        assert page.headers["retry-after"] == "10"
        assert b"cannot reach its database" in page.body

        api = server.get("/api/me", headers={"Authorization": "Bearer tdm_whoever"})
        assert api.status == 503
        assert api.headers["content-type"] == "application/json"
        assert json.loads(api.body) == {"detail": "The database is unavailable. Try again in a moment."}

    assert b"127.0.0.1" not in ready.body + page.body + api.body  # the reason is for the log only
    assert "Connection refused" in (tmp_path / "gunicorn.log").read_text()


@pytest.mark.parametrize(("health_checks", "after_drop"), [("true", 200), ("false", 503)])
def test_a_connection_postgresql_dropped_is_replaced_before_the_next_request(tmp_path, health_checks, after_drop):
    """PostgreSQL restarted or killed the server's kept connection (CONN_MAX_AGE): with health checks
    the next request reconnects; without them it fails once on the dead connection."""
    if connection.vendor != "postgresql":
        pytest.skip("A kept connection that the database server drops exists only with PostgreSQL")
    env = production_env(database_url(connection.settings_dict), CONN_MAX_AGE="60", CONN_HEALTH_CHECKS=health_checks)
    with gunicorn(env, tmp_path / "gunicorn.log") as server:
        assert server.get("/ready/").status == 200
        with connection.cursor() as cursor:  # what a restart does to every connection but our own
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        assert server.get("/ready/").status == after_drop
        assert server.get("/ready/").status == 200  # either way, the request after is served
