"""What a load balancer, systemd or a monitor asks of a Tandem process, and what a request gets
when the database is away.

- `/health/` (liveness): the process answers. It reads nothing, not even the database: restarting
  a web process because PostgreSQL is down would not help.
- `/ready/` (readiness): the database answers and every migration of this code is applied, so the
  process can serve; the background worker is reported beside them. Both are public and say only
  pass, warn or fail per check (the format of the IETF draft "Health Check Response Format for
  HTTP APIs"): the reason of a failure goes to the log, never to the caller. A failed check answers
  503; a worker that is late or left work undone is a warning (200): pages work without it.
- Any page or API call that finds the database unreachable answers 503 with `Retry-After`, not 500
  (`database_unavailable`, asked by the 500 handler): it is an outage to wait out, not a bug.
"""

import datetime
import functools
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

HEALTH_CONTENT_TYPE = "application/health+json"
RETRY_AFTER_SECONDS = 10


def _answer(status: str, checks: dict[str, dict[str, object]] | None = None) -> HttpResponse:
    body: dict[str, object] = {"status": status}
    if checks is not None:
        body["checks"] = checks
    return HttpResponse(json.dumps(body), content_type=HEALTH_CONTENT_TYPE, status=503 if status == "fail" else 200)


@login_not_required
@require_safe
@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """Liveness: this process is up and serving requests. No query, no session."""
    return _answer("pass")


@functools.cache
def _migrations_in_code() -> frozenset[tuple[str, str]]:
    """Every migration this code ships (read from disk once: it does not change while a process runs)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _database_check() -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "pass"}


def _migrations_check() -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = {(app, name) for app, name in cursor.fetchall()}
    missing = len(_migrations_in_code() - applied)
    if missing:
        logger.warning("Not ready: %d migrations of this code are not applied (run manage.py migrate)", missing)
        return {"status": "fail", "pending": missing}
    return {"status": "pass"}


def _worker_check() -> dict[str, object]:
    """Whether `manage.py worker` does its work: a worker that is down or stuck shows as a task
    waiting longer than TASKS_MAX_WAIT seconds (an idle queue is fine); a task that failed in the
    last day, or has been running for over an hour, means work that was not done (a database
    outage in the middle of a task does that: docs/deploy.md). Any of them is a warning."""
    from django_tasks import task_backends
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not isinstance(task_backends["default"], DatabaseBackend):
        return {"status": "pass", "observedValue": "no database worker in use"}
    now = timezone.now()
    figures = DBTaskResult.objects.aggregate(
        # Ready now: no delay asked (the far-future marker) or its delay is over.
        oldest=Min(
            "enqueued_at",
            filter=Q(status=TaskResultStatus.READY) & (Q(run_after=get_date_max()) | Q(run_after__lte=now)),
        ),
        failed=Count("id", filter=Q(status=TaskResultStatus.FAILED, finished_at__gte=now - datetime.timedelta(days=1))),
        stuck=Count("id", filter=Q(status=TaskResultStatus.RUNNING, started_at__lt=now - datetime.timedelta(hours=1))),
    )
    waited = (now - figures["oldest"]).total_seconds() if figures["oldest"] else 0.0
    late = waited > settings.TASKS_MAX_WAIT
    if late:
        logger.warning("Background tasks have waited %.0f s for a worker: is `manage.py worker` running?", waited)
    if figures["failed"] or figures["stuck"]:
        logger.warning(
            "%d background tasks failed in the last day and %d have run for over an hour: their work is not done",
            figures["failed"],
            figures["stuck"],
        )
    return {
        "status": "warn" if late or figures["failed"] or figures["stuck"] else "pass",
        "observedValue": round(waited),
        "observedUnit": "s",
        "failed_last_day": figures["failed"],
        "running_over_an_hour": figures["stuck"],
    }


CHECKS: dict[str, Callable[[], dict[str, object]]] = {
    "database": _database_check,
    "migrations": _migrations_check,
    "worker": _worker_check,
}


@login_not_required
@require_safe
@never_cache
def ready(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers, its schema is this code's, and the worker keeps up."""
    checks: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        if checks and checks["database"]["status"] == "fail":
            checks[name] = {"status": "fail"}  # not tried: nothing answers without the database
            continue
        try:
            checks[name] = check()
        except DatabaseError:
            logger.warning("Not ready: the %s check could not read the database", name, exc_info=True)
            checks[name] = {"status": "fail"}
    states = {check["status"] for check in checks.values()}
    status = "fail" if "fail" in states else "warn" if "warn" in states else "pass"
    return _answer(status, checks)


def database_unavailable(request: HttpRequest, exception: BaseException | None) -> HttpResponse | None:
    """The answer to a request that failed because the database is unreachable: 503 with
    `Retry-After`, JSON for the API; None for any other failure (a real 500).

    While PostgreSQL restarts or fails over, a request raises OperationalError (cannot connect,
    connection terminated) or InterfaceError (connection already closed), wherever it first reads:
    the session in a middleware as often as the view. Once the database is back, the next request
    gets a fresh connection (CONN_HEALTH_CHECKS). Deadlocks and serialisation failures are
    OperationalErrors too, and "try again in a moment" is the right advice for them as well.
    """
    if not isinstance(exception, OperationalError | InterfaceError):
        return None
    if request.path.startswith("/api/"):
        body = {"detail": "The database is unavailable. Try again in a moment."}
        response = HttpResponse(json.dumps(body), content_type="application/json", status=503)
    else:
        # Rendered without the request, as the 500 page: no context processor may query.
        response = HttpResponse(loader.render_to_string("core/503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
