"""Logs an operator can follow a request through: one line per request, every line tagged with it.

`LOG_FORMAT=json` writes one JSON object a line (for journald, Loki, Elasticsearch…); the default
`text` stays readable in a terminal. Both carry the request id (the proxy's `X-Request-ID` when it
sends a sane one, else a new one, echoed in the response) and the signed-in user's id, on the
request's own line and on every other line logged while it runs, errors included.

Imported by the logging configuration, before the apps are loaded: nothing here may import a model.
"""

import contextvars
import datetime
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.functional import empty

if TYPE_CHECKING:  # the settings import this module: it imports no more of Django than it must
    from django.http import HttpRequest, HttpResponse

FORMATS = ("text", "json")
REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id may look like (nginx's $request_id is 32 hex digits): anything else is replaced,
# so a client cannot write arbitrary text into the logs through the header.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# The request being served by this thread or task, for the filter that tags every record with it.
_current: contextvars.ContextVar["HttpRequest | None"] = contextvars.ContextVar("tandem_request", default=None)
# Fields the request line carries besides the message; JSON writes them as they are.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")

request_logger = logging.getLogger("tandem.request")


def current_request() -> "HttpRequest | None":
    """The request this thread is serving, or None in a task, a command or a test outside one."""
    return _current.get()


def _request_id(request: "HttpRequest") -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex


def _user_id(request: "HttpRequest") -> int | None:
    """The signed-in user's id, if the request has already looked them up: reading `request.user`
    here would load the session, a query that `/health/` promises not to make."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """The outermost middleware: times the whole request and logs one line when it is answered."""

    def __init__(self, get_response: Callable[["HttpRequest"], "HttpResponse"]) -> None:
        self.get_response = get_response

    def __call__(self, request: "HttpRequest") -> "HttpResponse":
        request.request_id = _request_id(request)  # type: ignore[attr-defined]
        token = _current.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
            request_logger.info(
                "%s %s %s %.0f ms",
                request.method,
                request.path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            _current.reset(token)


class RequestContextFilter(logging.Filter):
    """Tags every record with the request being served (`-` and None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current.get()
        record.request_id = getattr(request, "request_id", "-") if request is not None else "-"
        record.user_id = _user_id(request) if request is not None else None
        return True


class TextFormatter(logging.Formatter):
    """`2026-12-01 09:30:00,123 INFO tandem.request [3f2a…] user=12 GET /product/features/ 200 48 ms`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(context)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        user_id = getattr(record, "user_id", None)
        who = f" user={user_id}" if user_id is not None else ""
        record.context = f"[{getattr(record, 'request_id', '-')}]{who}"
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request id, user id, the request
    line's fields when it is one, and the traceback of an exception as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", None),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: everything to stderr (systemd's journal, gunicorn's log) in one format."""
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "tandem.core.logs.RequestContextFilter"}},
        "formatters": {
            "text": {"()": "tandem.core.logs.TextFormatter"},
            "json": {"()": "tandem.core.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": log_format},
        },
        "root": {"handlers": ["console"], "level": level},
    }
