"""A real HTTP server for the benchmark: gunicorn with production settings on a free loopback port."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.seed_large import LOG_DIR, ROOT, STATIC_ROOT, django_env


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    workers: int
    threads: int

    def describe(self) -> str:
        if self.threads == 1:
            return f"gunicorn sync, {self.workers} workers"
        return f"gunicorn gthread, {self.workers} workers x {self.threads} threads"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _static_up_to_date() -> bool:
    """Whether the manifest is newer than every static source: WhiteNoise compresses every file
    again on each collectstatic, minutes of CPU on a busy machine for nothing."""
    manifest = STATIC_ROOT / "staticfiles.json"
    if not manifest.exists():
        return False
    sources = [*(ROOT / "tandem").rglob("static/**/*"), ROOT / "package-lock.json", ROOT / "requirements.txt"]
    return all(path.stat().st_mtime < manifest.stat().st_mtime for path in sources if path.is_file())


def collect_static(url: str) -> None:
    """With DEBUG off, `{% static %}` needs the manifest that collectstatic writes."""
    if _static_up_to_date():
        return
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(command, cwd=ROOT, env=django_env(url), check=True)


@contextmanager
def running(url: str, *, workers: int, threads: int, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start gunicorn, wait until it answers, yield it, stop it. `env` adds to django_env's variables."""
    collect_static(url)
    server = Server(host="127.0.0.1", port=free_port(), workers=workers, threads=threads)
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "tandem.wsgi:application",
        f"--bind={server.host}:{server.port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--keep-alive=30",  # gthread only: the sync worker closes each connection
        "--log-level=info",  # the warm-up hook says at info when a worker has its triage index
    ]
    log = (LOG_DIR / "gunicorn.log").open("w")
    process = subprocess.Popen(
        command, cwd=ROOT, env={**django_env(url), **(env or {})}, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_up(server, process)
        _wait_until_warm(workers, process)
        yield server
    finally:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(server: Server, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {LOG_DIR / 'gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
            conn.request("GET", "/auth/login/")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {LOG_DIR / 'gunicorn.log'}")


def _wait_until_warm(workers: int, process: subprocess.Popen[bytes], timeout: float = 300.0) -> None:
    """Wait for every worker's warm-up (gunicorn.conf.py) to load the models and the triage index:
    a server in service is warm, and a warm-up running beside the timed requests takes their CPU."""
    log = LOG_DIR / "gunicorn.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {log}")
        text = log.read_text()
        if text.count("Triage index loaded") + text.count("Triage index warm-up failed") >= workers:
            return
        time.sleep(0.5)
    raise SystemExit(f"gunicorn's workers did not warm up within {timeout:.0f} s; see {log}")
