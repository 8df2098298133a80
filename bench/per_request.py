"""The CPU one request costs, Django's and PostgreSQL's apart: a figure that a busy shared machine
disturbs far less than latency.

Renders the first request of each target in-process (Django's test client, production settings)
against the benchmark database, six times untimed (so the connection has prepared its statements),
then `--requests` times: Django's CPU is this process's, PostgreSQL's is its backend's, read from
/proc (the server must run on this machine).

    python -m bench.per_request [--database-url …] [--target "sales roadmap (page)"] [--requests 40]
"""

import argparse
import os
import time
from typing import Any

from bench import seed_large
from bench.explain import signed_in_client, signed_in_targets
from bench.targets import Target

WARMUP = 6


def backend_cpu_ms(pid: int) -> float:
    """User and system CPU of a process so far, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def measure(target: Target, *, requests: int) -> None:
    from django.db import connection

    job = target.http[0]
    client, extra = signed_in_client(target)
    for _ in range(WARMUP):
        client.get(job.path, **extra)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        database, process, wall = backend_cpu_ms(pid), time.process_time(), time.perf_counter()
        for _ in range(requests):
            response = client.get(job.path, **extra)
        database, process = backend_cpu_ms(pid) - database, (time.process_time() - process) * 1000
        wall = (time.perf_counter() - wall) * 1000
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == pid, "the connection changed: PostgreSQL's CPU was not all counted"
    print(
        f"{target.name:40s} {response.status_code} {queries / requests:4.0f} queries"
        f"  Django {process / requests:6.1f} ms  PostgreSQL {database / requests:6.1f} ms"
        f"  wall {wall / requests:6.1f} ms  (mean of {requests})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=seed_large.DEFAULT_URL)
    parser.add_argument("--target", action="append", help="only the targets with these names (repeatable)")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--random-seed", type=int, default=1)
    args = parser.parse_args()
    for target in signed_in_targets(args.database_url, args.random_seed):
        if args.target is None or target.name in args.target:
            measure(target, requests=args.requests)


if __name__ == "__main__":
    main()
