"""Tandem in processes of its own, for what the test client cannot show: a real gunicorn (a database
that is away, a kept connection that PostgreSQL dropped) and manage.py commands run as an operator would."""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Server:
    port: int

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()

    def post(self, path: str, body: str, headers: dict[str, str]) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            conn.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url(settings_dict: dict[str, Any]) -> str:
    """The URL of a Django connection's database (the test database, once pytest-django made it)."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{settings_dict['NAME']}"


def production_env(database: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tandem.settings.base",
        "ENV_FILE": "",  # a developer's `.env` (plain HTTP, other cookies) is not production's
        "DATABASE_URL": database,
        "DEBUG": "false",
        "SECRET_KEY": "test-gunicorn",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[Server]:
    """Serve Tandem until the block ends. `-c /dev/null` leaves out gunicorn.conf.py's warm-up of the
    suggestion index: seconds of CPU that these tests do not need."""
    server = Server(port=free_port())
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "tandem.wsgi:application",
        "-c",
        "/dev/null",
        f"--bind=127.0.0.1:{server.port}",
        "--workers=1",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, f"gunicorn exited: {log.read_text()}"
                assert time.monotonic() < deadline, f"gunicorn did not answer in 60 s: {log.read_text()}"
                try:
                    if server.get("/health/").status == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
