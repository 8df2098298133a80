"""The benchmark: seed the large workspace into PostgreSQL, then time three pages and three API
endpoints through a real gunicorn server with 20 concurrent clients, next to the hand-written SQL
of the same answers. Prints a table and writes `bench/results/<UTC time>.json` and `latest.json`.

    python -m bench.run                 # recreate and seed tandem_large (about 10 minutes), then time
    python -m bench.run --reuse         # time against the database as it is

It is a benchmark, not a test: it asserts nothing and never runs in CI. See docs/benchmarks.md.
"""

import argparse
import datetime
import json
import os
import platform
import random
import subprocess
import time
from pathlib import Path
from typing import Any

import django
import psycopg

from bench import seed_large
from bench.cpu import describe as describe_cpu
from bench.http_client import HttpClient, SqlClient
from bench.load import drive
from bench.server import running
from bench.targets import RATIO_BUDGET, Target, build

RESULTS = Path(__file__).resolve().parent / "results"
SEED_BUDGET_SECONDS = 600
SEED_BUDGET_MB = 1024
TIME_LIMIT_SECONDS = 180.0


def machine(url: str) -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kb = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:")), 0)
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        buffers = conn.execute("SHOW shared_buffers").fetchone()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=seed_large.ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=seed_large.ROOT, capture_output=True, text=True
    ).stdout.strip()
    described = describe_cpu()
    return {
        # Sessions run on different machines: the CPU, and whether it has the int8 instructions
        # the sentence model's quantised copy uses, explain most differences between runs.
        "cpu": described["model"],
        "cpu_int8_vnni": described["kind"] in ("avx512-vnni", "avx-vnni"),
        "cpu_kind": described["kind"],
        "cpu_details": described,
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "load_average_1m_before_timing": round(os.getloadavg()[0], 2),
        "postgresql": row[0] if row else None,
        "shared_buffers": buffers[0] if buffers else None,
        "python": platform.python_version(),
        "commit": commit + ("+uncommitted" if dirty else ""),
    }


def cpu_seconds() -> dict[int, tuple[str, float]]:
    """CPU used so far by each of the machine's gunicorn and PostgreSQL processes, by pid, from
    /proc: where the time of a request went, beside this process's own (the clients')."""
    used = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if name in ("gunicorn", "postgres"):
            used[int(stat.parent.name)] = (name, (int(fields[11]) + int(fields[12])) / tick)  # utime, stime
    return used


def cpu_used(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """Seconds of CPU by process name between two readings. A process that ended in between (a
    closed database connection) is left out: an undercount, never a negative figure."""
    used = {"gunicorn": 0.0, "postgres": 0.0}
    for pid, (name, seconds) in after.items():
        used[name] += seconds - (before[pid][1] if pid in before else 0.0)
    return used


def measure(target: Target, *, host: str, port: int, url: str, clients: int, warmup: int) -> dict[str, Any]:
    """Time the target over HTTP, then its SQL, with the same clients and requests; the first `warmup` are untimed."""
    errors: list[str] = []
    before, client_before = cpu_seconds(), time.process_time()
    http = drive(
        lambda: HttpClient(host, port),
        target.http[warmup:],
        clients=clients,
        warmup=target.http[:warmup],
        time_limit=TIME_LIMIT_SECONDS,
        errors_out=errors,
    )
    used, client_after = cpu_used(before, cpu_seconds()), time.process_time()
    requests = len(target.http)
    cpu_ms = {
        "server": round(used["gunicorn"] / requests * 1000, 1),
        "postgresql": round(used["postgres"] / requests * 1000, 1),
        "clients": round((client_after - client_before) / requests * 1000, 1),
    }
    # The database's work for the hand-written answer, beside the app's (`cpu_ms_per_request`):
    # whether Django's queries cost PostgreSQL more than the plain SQL does. Read before the
    # clients disconnect: a connection's backend process, and its CPU, ends with it.
    before, client_before = cpu_seconds(), time.process_time()
    after: dict[str, Any] = {}
    sql = drive(
        lambda: SqlClient(url),
        target.sql[warmup:],
        clients=clients,
        warmup=target.sql[:warmup],
        time_limit=TIME_LIMIT_SECONDS,
        when_done=lambda: after.update(processes=cpu_seconds(), client=time.process_time()),
    )
    sql_cpu_ms = {
        "postgresql": round(cpu_used(before, after["processes"])["postgres"] / len(target.sql) * 1000, 1),
        "clients": round((after["client"] - client_before) / len(target.sql) * 1000, 1),
    }
    ratio = round(http.p95_ms / sql.p95_ms, 1) if sql.p95_ms else None
    return {
        "name": target.name,
        "kind": target.kind,
        "as_role": target.as_role,
        "example": target.example(),
        "http": http.as_dict(),
        "cpu_ms_per_request": cpu_ms,
        "sql": sql.as_dict(),
        "sql_cpu_ms_per_request": sql_cpu_ms,
        "p95_ratio_to_sql": ratio,
        "budget": {"p95_ms": target.budget_ms, "p95_ratio_to_sql": RATIO_BUDGET},
        "met": {
            "p95": http.errors == 0 and not http.timed_out and http.p95_ms <= target.budget_ms,
            "ratio": ratio is not None and ratio <= RATIO_BUDGET,
        },
        "first_errors": sorted(set(errors))[:5],
    }


def seed_met(seed: dict[str, Any]) -> dict[str, bool | None]:
    if seed["reused"]:
        return {"wall_seconds": None, "peak_rss_mb": None}
    return {
        "wall_seconds": seed["wall_seconds"] <= SEED_BUDGET_SECONDS,
        "peak_rss_mb": seed["peak_rss_mb"] is not None and seed["peak_rss_mb"] <= SEED_BUDGET_MB,
    }


def report(results: dict[str, Any]) -> str:
    def yes(value: bool | None) -> str:
        return "-" if value is None else ("met" if value else "NOT MET")

    seed = results["seed"]
    lines = [f"Machine: {results['machine']}", f"Server: {results['config']['server']}", ""]
    if seed["reused"]:
        lines.append(f"Seed: reused {seed['database']} ({seed['rows']:,} rows, {seed['database_size_mb']:,} MB)")
    else:
        met = results["seed_met"]
        lines += [
            f"Seed: {seed['rows']:,} rows in {seed['wall_seconds']:.0f} s ({seed['rows_per_second']:,} rows/s), "
            f"budget {SEED_BUDGET_SECONDS} s: {yes(met['wall_seconds'])}; peak RSS {seed['peak_rss_mb']} MB, "
            f"budget {SEED_BUDGET_MB} MB: {yes(met['peak_rss_mb'])}",
        ]
    lines += ["", f"{'table':<28}{'rows':>12}{'rows/s':>10}"]
    for name, figures in seed["tables"].items():
        lines.append(f"{name:<28}{figures['rows']:>12,}{figures['rows_per_second'] or '-':>10}")
    clients = results["config"]["clients"]
    lines += [
        "",
        f"{clients} concurrent clients, {results['config']['requests']} timed requests per target "
        f"after {results['config']['warmup']} warm-up; milliseconds",
        f"{'target':<32}{'p50':>7}{'p95':>7}{'p99':>7}{'mean':>7}{'req/s':>7}{'err':>5}"
        f"{'sql p50':>9}{'sql p95':>9}{'ratio':>7}{'budget':>8}  p95 / ratio"
        "   CPU ms a request: server pg clients | sql: pg clients",
    ]
    for t in results["targets"]:
        h, s, c, sc = t["http"], t["sql"], t["cpu_ms_per_request"], t["sql_cpu_ms_per_request"]
        lines.append(
            f"{t['name']:<32}{h['p50_ms']:>7}{h['p95_ms']:>7}{h['p99_ms']:>7}{h['mean_ms']:>7}{h['per_second']:>7}"
            f"{h['errors']:>5}{s['p50_ms']:>9}{s['p95_ms']:>9}{t['p95_ratio_to_sql'] or '-':>7}"
            f"{t['budget']['p95_ms']:>8.0f}  {yes(t['met']['p95'])} / {yes(t['met']['ratio'])}"
            f"   {c['server']} {c['postgresql']} {c['clients']} | {sc['postgresql']} {sc['clients']}"
        )
        for error in t["first_errors"]:
            lines.append(f"    error: {error}")
    return "\n".join(lines)


def write(results: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    path = RESULTS / f"{results['started_at'].replace(':', '')}.json"
    path.write_text(text)
    (RESULTS / "latest.json").write_text(text)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=seed_large.DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="skip the seed: time the database as it is")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="timed requests per target")
    parser.add_argument("--warmup", type=int, default=40, help="untimed requests per target first")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker; 1 is the sync worker of docs/deploy.md"
    )
    parser.add_argument("--random-seed", type=int, default=1, help="fixes which users, accounts and stages are asked")
    parser.add_argument(
        "--only", action="append", help="time only the targets whose name contains this text (repeatable)"
    )
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results/ alone")
    args = parser.parse_args()
    url = args.database_url
    started_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    seed = seed_large.reused(url) if args.reuse else seed_large.seed(url)
    os.environ.update(seed_large.django_env(url))
    django.setup()
    from bench.world import sign_out, world_load  # needs the app registry

    machine_before_timing = machine(url)
    session_keys: list[str] = []
    rng = random.Random(args.random_seed)
    try:
        world = world_load(rng, session_keys)
        targets = build(world, count=args.requests + args.warmup, rng=rng)
        targets = [t for t in targets if not args.only or any(text in t.name for text in args.only)]
        measured = []
        with running(url, workers=args.workers, threads=args.threads) as server:
            for target in targets:
                print(f"timing {target.name} …", flush=True)
                figures = measure(
                    target, host=server.host, port=server.port, url=url, clients=args.clients, warmup=args.warmup
                )
                measured.append(figures)
            server_description = server.describe()
    finally:
        sign_out(session_keys)

    results = {
        "started_at": started_at,
        "machine": machine_before_timing,
        "config": {
            "clients": args.clients,
            "requests": args.requests,
            "warmup": args.warmup,
            "random_seed": args.random_seed,
            "server": server_description,
            "settings": "tandem.settings.base, DEBUG=false",
        },
        "seed": seed,
        "seed_met": seed_met(seed),
        "seed_budget": {"wall_seconds": SEED_BUDGET_SECONDS, "peak_rss_mb": SEED_BUDGET_MB},
        "targets": measured,
    }
    print(report(results))
    if not args.no_write:
        print(f"\nwrote {write(results).relative_to(seed_large.ROOT)} and bench/results/latest.json")


if __name__ == "__main__":
    main()
