"""Where a target's time goes: the queries one request runs, each with its EXPLAIN ANALYZE time.

Renders the first request of each target in-process (Django's test client, production settings)
against the benchmark database, captures its queries, and explains every SELECT. Prints the
query count, the total database time, and the plans of the slowest queries.

    python -m bench.explain [--database-url …] [--target "account page"] [--plans 2]
"""

import argparse
import os
import random
import re
import time
from collections.abc import Iterator
from typing import Any

import django

from bench import seed_large
from bench.server import collect_static
from bench.targets import Target, build


def signed_in_client(target: Target) -> tuple[Any, dict[str, Any]]:
    """An in-process client signed in as the target's first request is (its session cookie or its API
    token), and the keyword arguments each `client.get` then takes."""
    from django.test import Client

    headers = dict(target.http[0].headers)
    client = Client(SERVER_NAME="127.0.0.1")
    extra: dict[str, Any] = {}
    if "Cookie" in headers:
        name, _, value = headers["Cookie"].partition("=")
        client.cookies[name] = value
    else:
        extra["headers"] = {"Authorization": headers["Authorization"]}
    return client, extra


def explain(target: Target, *, plans: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    job = target.http[0]
    client, extra = signed_in_client(target)
    client.get(job.path, **extra)  # warm: the first request imports templates and opens the connection
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(job.path, **extra)
        elapsed = (time.perf_counter() - started) * 1000
    print(f"\n== {target.name}: GET {job.path} -> {response.status_code}, {len(response.content):,} bytes")
    print(f"   {len(captured.captured_queries)} queries, {elapsed:.1f} ms in-process (one client, no load)")
    timed: list[tuple[float, str, list[str]]] = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                timed.append((0.0, sql, []))
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
            match = re.search(r"Execution Time: ([\d.]+) ms", plan[-1])
            timed.append((float(match.group(1)) if match else 0.0, sql, plan))
    print(f"   database execution time (EXPLAIN ANALYZE): {sum(t for t, _, _ in timed):.1f} ms")
    for ms, sql, _ in timed:
        print(f"   {ms:7.2f} ms  {sql[:150]}")
    for ms, sql, plan in sorted(timed, key=lambda t: -t[0])[:plans]:
        print(f"\n   -- slowest: {ms:.2f} ms\n   {sql}\n")
        print("\n".join("   " + line for line in plan))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=seed_large.DEFAULT_URL)
    parser.add_argument("--target", help="only the target with this name (default: all six)")
    parser.add_argument("--plans", type=int, default=2, help="plans printed per target, slowest first")
    parser.add_argument("--random-seed", type=int, default=1)
    args = parser.parse_args()
    for target in signed_in_targets(args.database_url, args.random_seed):
        if args.target in (None, target.name):
            explain(target, plans=args.plans)


def signed_in_targets(database_url: str, random_seed: int) -> Iterator[Target]:
    """Django set up on the bench's database and the targets built for its signed-in world (one
    request each), signed out again when the caller is done with them."""
    if not (seed_large.STATIC_ROOT / "staticfiles.json").exists():
        collect_static(database_url)
    os.environ.update(seed_large.django_env(database_url))
    django.setup()
    from bench.world import sign_out, world_load

    session_keys: list[str] = []
    try:
        world = world_load(random.Random(random_seed), session_keys)
        yield from build(world, count=1, rng=random.Random(random_seed))
    finally:
        sign_out(session_keys)


if __name__ == "__main__":
    main()
