"""Seed the large workspace into a fresh PostgreSQL database and measure the load.

Drops and recreates the database, migrates it, then runs `manage.py seed --scale large --seed 1`
under `/usr/bin/time -v` to get its wall time and peak memory. Rows are counted after the load.

    python -m bench.seed_large [--database-url postgres://root@127.0.0.1:5432/tandem_large] [--reuse]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.cpu import describe as describe_cpu

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "bench"
DEFAULT_URL = "postgres://root@127.0.0.1:5432/tandem_large"
# The tables of our own apps; Django's and django-tasks' tables are not part of the workspace.
APP_PREFIXES = ("core_", "people_", "sales_", "competition_", "product_", "asks_")
# With DEBUG off, `{% static %}` needs the manifest that collectstatic writes here.
STATIC_ROOT = LOG_DIR / "static"


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def maintenance_url(url: str) -> str:
    """The same server, database `postgres`: where CREATE and DROP DATABASE are run."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def django_env(url: str) -> dict[str, str]:
    """The environment every Django process of the benchmark runs with: production settings, no debug."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tandem.settings.base",
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(STATIC_ROOT),
        # Twenty clients share a few tokens at full speed: the API limit still counts every request
        # (its cost is part of each endpoint's time) but never refuses one.
        "API_RATE_LIMIT": "100000000",
    }


def table_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
            if row[0].startswith(APP_PREFIXES)
        ]
        counts = {}
        for name in names:
            row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()
            counts[name] = int(row[0]) if row else 0
    return {name: count for name, count in counts.items() if count}


def _recreate(url: str) -> None:
    name = database_name(url)
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _manage(*args: str, url: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=django_env(url), check=True)


def _time_v(stderr: str, label: str) -> str | None:
    match = re.search(rf"^\s*{re.escape(label)}: (.+)$", stderr, re.MULTILINE)
    return match.group(1).strip() if match else None


def _seed_timings(output: str) -> dict[str, tuple[float, int | None]]:
    """Seconds and rows/s per table as `manage.py seed` prints them after the load (fixed-width columns)."""
    timings: dict[str, tuple[float, int | None]] = {}
    lines = output.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("table") and "seconds" in line), None)
    if header is None:
        return timings
    for line in lines[header + 1 :]:
        try:
            seconds = float(line[40:50])
        except ValueError:
            break
        rate = line[50:62].strip().replace(",", "")
        timings[line[:28].strip()] = (seconds, int(rate) if rate.isdigit() else None)
    return timings


def _seconds(elapsed: str) -> float:
    """`/usr/bin/time` prints wall time as [h:]mm:ss.ss."""
    total = 0.0
    for part in elapsed.split(":"):
        total = total * 60 + float(part)
    return total


def seed(url: str, *, seed_number: int = 1) -> dict[str, Any]:
    """Recreate, migrate and seed the database; answer the load's figures."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = LOG_DIR / "seed.log"
    load_before = round(os.getloadavg()[0], 2)
    _recreate(url)
    started = time.perf_counter()
    _manage("migrate", "--noinput", "-v", "0", url=url)
    migrate_seconds = time.perf_counter() - started
    print(f"migrated in {migrate_seconds:.1f} s; seeding (log: {log.relative_to(ROOT)})", flush=True)
    command = ["/usr/bin/time", "-v", sys.executable, "manage.py", "seed", "--scale", "large"]
    command += ["--seed", str(seed_number)]
    with log.open("w") as out:
        result = subprocess.run(command, cwd=ROOT, env=django_env(url), stdout=out, stderr=subprocess.STDOUT)
    output = log.read_text(errors="replace")
    if result.returncode != 0:
        tail = "\n".join(output.splitlines()[-30:])
        raise SystemExit(f"manage.py seed failed with exit code {result.returncode}:\n{tail}")
    elapsed = _time_v(output, "Elapsed (wall clock) time (h:mm:ss or m:ss)")
    max_rss_kb = _time_v(output, "Maximum resident set size (kbytes)")
    wall = _seconds(elapsed) if elapsed else time.perf_counter() - started - migrate_seconds
    peak = int(max_rss_kb) / 1024 if max_rss_kb else None
    figures = _figures(url, wall_seconds=wall, peak_rss_mb=peak, timings=_seed_timings(output))
    cpu = [_time_v(output, label) for label in ("User time (seconds)", "System time (seconds)")]
    # The seed process's own CPU; PostgreSQL's (COPY, index builds) is the rest of the wall time.
    figures["seed_process_cpu_seconds"] = round(sum(float(c) for c in cpu if c), 1)
    # Other work on the machine slows the load: say how busy it was when the load started.
    figures |= {"migrate_seconds": round(migrate_seconds, 1), "load_average_1m_before": load_before}
    figures |= {"load_average_1m_after": round(os.getloadavg()[0], 2), "cpu": describe_cpu()}
    return figures | {"reused": False}


def reused(url: str) -> dict[str, Any]:
    """Figures of a database seeded earlier: its rows only, nothing timed."""
    return _figures(url, wall_seconds=None, peak_rss_mb=None, timings={}) | {"reused": True}


def _figures(
    url: str, *, wall_seconds: float | None, peak_rss_mb: float | None, timings: dict[str, tuple[float, int | None]]
) -> dict[str, Any]:
    """Rows per table as counted after the load, with the seconds and rows/s the seed printed for it."""
    counts = table_counts(url)
    total = sum(counts.values())
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    return {
        "database": database_name(url),
        "wall_seconds": round(wall_seconds, 1) if wall_seconds else None,
        "peak_rss_mb": round(peak_rss_mb) if peak_rss_mb else None,
        "rows": total,
        "rows_per_second": round(total / wall_seconds) if wall_seconds else None,
        "database_size_mb": round(int(row[0]) / 2**20) if row else None,
        "tables": {
            name: {
                "rows": count,
                "seconds": timings[name][0] if name in timings else None,
                "rows_per_second": timings[name][1] if name in timings else None,
            }
            for name, count in counts.items()
        },
        # Steps of the load that are no table: building indexes and foreign keys, ANALYZE.
        "steps_seconds": {name: seconds for name, (seconds, _) in timings.items() if name.startswith("(")},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reuse", action="store_true", help="count the rows of an already seeded database")
    parser.add_argument("--seed", type=int, default=1, dest="seed_number")
    args = parser.parse_args()
    figures = reused(args.database_url) if args.reuse else seed(args.database_url, seed_number=args.seed_number)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
