"""What the API rate limit costs a request (docs/security.md): the counting statement alone, then
GET /api/me through gunicorn with the limit counting and with it off, in alternating rounds.

    python -m bench.ratelimit --database-url postgres://root@127.0.0.1:5432/tandem_security
    python -m bench.ratelimit --database-url sqlite:////tmp/tandem-ratelimit.sqlite3

It migrates the database it is given and adds one user and token. A benchmark: it asserts nothing.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.seed_large import django_env
from bench.server import free_port

ROOT = Path(__file__).resolve().parent.parent


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    mean, p50 = statistics.fmean(ordered) * 1000, statistics.median(ordered) * 1000
    return f"mean {mean:.3f} ms, p50 {p50:.3f} ms, p95 {p95 * 1000:.3f} ms"


def statement_cost(url: str, calls: int) -> str:
    os.environ.update(django_env(url))
    import django

    django.setup()
    from django.db import connection

    from tandem.core.ratelimit import rate_count

    connection.ensure_connection()
    samples = []
    for i in range(calls):
        started = time.perf_counter()
        rate_count(key=f"bench:{i % 50}", limit=10**9, window=60)
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def prepare(url: str) -> str:
    env = django_env(url)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    script = (
        "import django; django.setup()\n"
        "from tandem.people.models import User\n"
        "from tandem.people.services import api_token_create\n"
        "user = User.objects.filter(username='ratelimit-bench').first() or "
        "User.objects.create_user('ratelimit-bench', 'ratelimit-bench@example.com', 'x')\n"
        "print(api_token_create(actor=user, name='ratelimit bench')[1])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()[-1]


def http_round(url: str, key: str, limit: str, requests: int) -> list[float]:
    port = free_port()
    env = {**django_env(url), "API_RATE_LIMIT": limit}
    command = [str(Path(sys.executable).parent / "gunicorn"), "tandem.wsgi:application", f"--bind=127.0.0.1:{port}"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/auth/login/")
                break
            except OSError:
                time.sleep(0.1)
        samples = []
        headers = {"Authorization": f"Bearer {key}"}
        for i in range(requests + 50):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.perf_counter()
            conn.request("GET", "/api/me", headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            conn.close()
            assert response.status == 200, response.status
            if i >= 50:  # the first requests warm the worker up
                samples.append(elapsed)
        return samples
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()}")
    key = prepare(args.database_url)
    print("statement alone:", statement_cost(args.database_url, 5000))
    counting: list[float] = []
    off: list[float] = []
    for _ in range(args.rounds):
        counting += http_round(args.database_url, key, "100000000", args.requests)
        off += http_round(args.database_url, key, "0", args.requests)
    print("GET /api/me, limit counting:", _percentiles(counting))
    print("GET /api/me, limit off:     ", _percentiles(off))
    print(f"load: {os.getloadavg()}")


if __name__ == "__main__":
    main()
