"""Duplicate suggestions under load, over HTTP, on the large workspace: the inbox's suggestion request
and the rep's feature search while typing, with 20 concurrent clients.

    python -m bench.triage_load --database-url postgres://root@127.0.0.1:5432/tandem_large [--think 1.0]

Starts gunicorn as deployed (bench/server.py: sync workers, each warms its triage index first), signs
in a product manager (API token) and a rep (session), then runs two phases, each with `--clients`
clients on their own keep-alive connection:

- `GET /api/asks/{id}/suggestions` for asks waiting in triage, as the product manager;
- `GET /asks/features/?q=…` for the words a rep has typed so far (prefixes of real asks' needs).

Each client waits `--think` seconds (uniformly 0.5x to 1.5x) between its answer and its next
request, as a person does; `--think 0` is a closed loop, every client sending again at once, which
measures saturation rather than what a user waits. Reports p50/p95 per phase, the workers' CPU
time per request (what a request costs the server, whatever else the machine is doing), their
resident memory, the load average, and the CPU's int8 support and the sentence model's precision; writes
`bench/results/triage-load-<UTC time>.json`. Loops are bounded in count and time. A benchmark, not
a test: it asserts nothing.
"""

import argparse
import datetime
import json
import os
import random
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import seed_large
from bench.cpu import describe as describe_cpu
from bench.http_client import HttpClient, HttpJob
from bench.load import percentile
from bench.server import running

RESULTS = Path(__file__).resolve().parent / "results"
SUGGESTION_BUDGET_MS = 50.0
TYPING_BUDGET_MS = 30.0


def phase(host: str, port: int, jobs: list[HttpJob], *, clients: int, think: float, seed: int) -> dict[str, Any]:
    """Time every job with `clients` clients that each think between requests; bounded at 300 s."""
    todo = list(reversed(jobs))
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + 300

    def work(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        client = HttpClient(host, port)
        try:
            while time.monotonic() < deadline:
                with lock:
                    if not todo:
                        return
                    job = todo.pop()
                started = time.perf_counter()
                try:
                    client.call(job)
                except Exception as exc:  # counted, never fatal to the run
                    with lock:
                        errors.append(f"{job}: {exc!r}")
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                if think:
                    time.sleep(think * rng.uniform(0.5, 1.5))
        finally:
            client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "errors": len(errors),
        "first_errors": errors[:3],
        "p50_ms": round(percentile(ordered, 50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 95) * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
        "per_second": round(len(ordered) / wall, 1),
    }


def workers_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) gunicorn's workers have used so far: what requests cost the
    server, whatever else the machine is doing."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # after the name: state, ppid, ..., utime (12th), stime (13th)
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each of gunicorn's worker processes (the master's children)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(fields.get("PPid", "0").strip()) == master_pid:
            found.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=seed_large.DEFAULT_URL)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=600, help="timed requests per phase")
    parser.add_argument("--think", type=float, default=1.0, help="seconds each client waits between requests")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    url = args.database_url
    os.environ.update(seed_large.django_env(url))
    import django

    django.setup()
    from bench.world import sign_in, sign_out
    from tandem.asks.models import Ask
    from tandem.core.roles import Role
    from tandem.people.models import User
    from tandem.triage import sentences

    rng = random.Random(17)
    session_keys: list[str] = []
    try:
        pm_user = User.objects.filter(role=Role.PRODUCT_MANAGER, is_active=True).order_by("pk").first()
        rep_user = User.objects.filter(role=Role.REP, is_active=True, asks__isnull=False).order_by("pk").first()
        if pm_user is None or rep_user is None:
            raise SystemExit("Seed the large workspace first.")
        pm, rep = sign_in(pm_user, session_keys), sign_in(rep_user, session_keys)
        waiting = list(Ask.objects.filter(status=Ask.Status.NEW).order_by("-pk").values_list("pk", flat=True)[:5000])
        asks = rng.sample(waiting, min(args.requests, len(waiting)))
        needs = list(Ask.objects.order_by("?").values_list("need", flat=True)[:200])
        typed = []
        for need in needs:  # what a rep has typed when the search fires: a prefix of 3 to 40 characters
            cut = rng.randint(3, min(40, max(3, len(need))))
            typed.append(need[:cut])
        suggestion_jobs = [HttpJob(f"/api/asks/{pk}/suggestions", pm.api_headers()) for pk in asks]
        typing_jobs = [
            HttpJob(f"/asks/features/?q={quote(text)}", (*rep.page_headers(), ("HX-Request", "true")))
            for text in (typed * (args.requests // len(typed) + 1))[: args.requests]
        ]
        started_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with running(url, workers=args.workers, threads=1) as server:
            master = _master_pid(server.port)
            rss_warm = worker_rss_mb(master)
            load_before = os.getloadavg()
            cpu = [workers_cpu_seconds(master)]
            suggestions = phase(
                server.host, server.port, suggestion_jobs, clients=args.clients, think=args.think, seed=1
            )
            cpu.append(workers_cpu_seconds(master))
            typing = phase(server.host, server.port, typing_jobs, clients=args.clients, think=args.think, seed=2)
            cpu.append(workers_cpu_seconds(master))
            suggestions["server_cpu_ms_per_request"] = round((cpu[1] - cpu[0]) * 1000 / len(suggestion_jobs), 1)
            typing["server_cpu_ms_per_request"] = round((cpu[2] - cpu[1]) * 1000 / len(typing_jobs), 1)
            rss_end = worker_rss_mb(master)
            load_after = os.getloadavg()
    finally:
        sign_out(session_keys)
    flags = sentences.cpu_flags()
    results = {
        "started_at": started_at,
        "cpu": {
            "int8_fast_path": sorted(flags & sentences.INT8_FLAGS),
            "avx2": "avx2" in flags,
            "avx512f": "avx512f" in flags,
            "sentence_model": sentences.variant(),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""),
        }
        | describe_cpu(),
        "config": {"clients": args.clients, "think_s": args.think, "workers": args.workers, "server": "gunicorn sync"},
        "load_average_1m": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)},
        "worker_rss_mb": {"warm": rss_warm, "end": rss_end},
        "suggestion_request": suggestions | {"budget_p95_ms": SUGGESTION_BUDGET_MS},
        "typing": typing | {"budget_p95_ms": TYPING_BUDGET_MS},
    }
    print(json.dumps(results, indent=2))
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"triage-load-{started_at.replace(':', '')}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {path}")


def _master_pid(port: int) -> int:
    """gunicorn's master: the first process whose command line binds `port` (its workers are forks
    of it, with the same command line)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "gunicorn" in text and f":{port}" in text:
            found.append(int(cmdline.parent.name))
    return min(found, default=0)


if __name__ == "__main__":
    main()
