"""One log line per request, and every line of a request tagged with its id and its user (LOG_FORMAT)."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse

from tandem.core.logs import JsonFormatter, RequestContextFilter, TextFormatter, logging_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines(request) -> Iterator[io.StringIO]:
    """What the console handler of settings.LOGGING writes, in the format the test names."""
    formatter = JsonFormatter() if request.param == "json" else TextFormatter()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(formatter)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize("log_lines", ["json"], indirect=True)
def test_json_log_has_one_line_per_request_with_its_id_user_path_status_and_duration(client, rep, log_lines):
    client.force_login(rep)

    response = client.get(reverse("dashboards:home"), HTTP_X_REQUEST_ID="proxy-id-123")

    assert response["X-Request-ID"] == "proxy-id-123"  # the proxy's id, so its log and ours join up
    entries = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    request_lines = [e for e in entries if e["logger"] == "tandem.request"]
    assert len(request_lines) == 1
    line = request_lines[0]
    assert line["request_id"] == "proxy-id-123"
    assert line["user_id"] == rep.pk
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert line["duration_ms"] > 0
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")


@pytest.mark.parametrize("log_lines", ["json"], indirect=True)
def test_a_warning_logged_while_serving_a_request_carries_the_request_id(client, log_lines):
    MigrationRecorder(connection).record_unapplied("core", "0001_initial")

    response = client.get(reverse("core:ready"))

    entries = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    warning = next(e for e in entries if e["logger"] == "tandem.core.health")
    assert warning["level"] == "WARNING"
    assert "not applied" in warning["message"]
    assert warning["request_id"] == response["X-Request-ID"]
    assert warning["user_id"] is None


@pytest.mark.parametrize("log_lines", ["json"], indirect=True)
def test_a_request_id_that_could_forge_log_lines_is_replaced(client, log_lines):
    response = client.get(reverse("core:health"), HTTP_X_REQUEST_ID='x"\n{"level": "CRITICAL"}')

    assert len(response["X-Request-ID"]) == 32
    assert "CRITICAL" not in log_lines.getvalue()
    assert len(log_lines.getvalue().splitlines()) == 1


@pytest.mark.parametrize("log_lines", ["text"], indirect=True)
def test_text_log_stays_readable_for_development(client, rep, log_lines):
    client.force_login(rep)

    response = client.get(reverse("dashboards:home"))

    line = next(line for line in log_lines.getvalue().splitlines() if "tandem.request" in line)
    assert f"INFO tandem.request [{response['X-Request-ID']}] user={rep.pk} GET / 200 " in line
    assert line.endswith(" ms")


def test_an_unknown_log_format_is_refused_at_start():
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of text, json"):
        logging_config(log_format="xml", level="INFO")
