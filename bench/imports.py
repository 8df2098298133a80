"""The deal import at scale: a Salesforce Data Loader file of N deals (1,000,000 by default) imported
into PostgreSQL through the worker path, against a plain COPY of the same rows into the same table.

    DATABASE_URL=postgres://…/bench_db .venv/bin/python -m bench.imports [--rows 1000000]

The database must hold no deals but the benchmark's own (it empties `sales_opportunity` between the
two runs). The script migrates it, adds the stages, an admin who imports and 20,000 accounts with
external ids, writes the CSV to a temporary directory, then:

1. COPY: the same rows, already turned into the table's columns (account ids looked up, home
   amounts computed), streamed by one `COPY … FROM STDIN` into `sales_opportunity` with its
   indexes: the floor of what any import can do.
2. Import: upload, mapping as guessed, `import_job_configure` queues the task, and `manage.py worker
   --batch` runs it (reading, checking every row, COPY into the staging table, one INSERT … ON
   CONFLICT and the stage history) under `/usr/bin/time -v`, which reports the worker's peak RSS.

Targets (docs/importing.md): import at most 3x the COPY (trigger paused, as the seed loads), ≤ 10 minutes,
worker < 512 MB. Results are printed and written to bench/results/imports-<time>.json.

The pages during an import (the issue: "while the pages keep their p95 budgets"): `--workspace` imports
into a seeded workspace as it is (its own deals kept, no COPY; the benchmark's accounts and importer stay,
its deals are deleted after) and `--pages TEXT` (repeatable, as bench.run's `--only`) times those pages
with a short `bench.run` idle first (after an untimed pass that warms the caches), then once while the
worker checks and once while it writes:

    .venv/bin/python -m bench.imports --url postgres://…/tandem_large_copy --workspace \
        --pages "opportunity list (page)" --pages "account page"
"""

import argparse
import csv
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STAGES = (
    ("Prospecting", 10, "pipeline", False, False),
    ("Discovery", 20, "pipeline", False, False),
    ("Solution/Demo", 40, "pipeline", False, False),
    ("Proposal", 60, "best_case", False, False),
    ("Negotiation", 80, "commit", False, False),
    ("Closed Won", 100, "closed", True, False),
    ("Closed Lost", 0, "omitted", False, True),
)
HEADER = ["Id", "AccountId", "Name", "StageName", "Amount", "CloseDate", "Probability", "OwnerId", "Type", "LeadSource"]
TYPES = ["New Customer", "Existing Customer - Upgrade", "Existing Customer - Replacement"]
SOURCES = ["Web", "Partner Referral", "Trade Show", "Advertisement", "Employee Referral"]


def _environment(url: str) -> dict[str, str]:
    from bench.seed_large import django_env

    return {**django_env(url), "IMPORT_MAX_BYTES": str(2 * 1024**3)}


def _prepare(accounts: int, *, workspace: bool = False) -> tuple[int, str]:
    from django.core.management import call_command
    from django.db import connection

    from tandem.core.bulk import Table, writer_for
    from tandem.core.roles import Role
    from tandem.people.models import User
    from tandem.sales.models import Account, Opportunity, Stage

    call_command("migrate", verbosity=0)
    if not workspace and Opportunity.objects.exclude(external_id__startswith="BENCH-").exists():
        sys.exit("This database holds deals of its own: run the benchmark on a database of its own.")
    for order, (name, probability, category, won, lost) in enumerate(STAGES, start=1):
        Stage.objects.get_or_create(
            name=name,
            defaults={
                "order": order,
                "default_probability": probability,
                "forecast_category": category,
                "is_won": won,
                "is_lost": lost,
            },
        )
    admin, _ = User.objects.get_or_create(
        username="bench.importer",
        defaults={
            "role": Role.ADMIN,
            "email": "bench.importer@example.com",
            "first_name": "Bench",
            "last_name": "Importer",
        },
    )
    have = Account.objects.filter(external_id__startswith="BENCH-ACC-").count()
    if have < accounts:
        now = datetime.datetime.now(datetime.UTC)
        rows = (
            (
                f"Bench account {i}",
                "Software",
                "mid_market",
                "prospect",
                "EMEA",
                Decimal("0"),
                admin.pk,
                f"BENCH-ACC-{i}",
                now,
                now,
                1,
            )
            for i in range(have, accounts)
        )
        fields = (
            "name",
            "industry",
            "segment",
            "status",
            "region",
            "annual_revenue",
            "owner_id",
            "external_id",
            "created_at",
            "updated_at",
            "version",
        )
        writer_for(connection).write(Table(Account, fields, rows, total=accounts - have), progress=False)
    return admin.pk, admin.email


def _deal_rows(count: int, accounts: int, owner: str) -> Iterator[list[str]]:
    rng = random.Random(20)
    start = datetime.date(2026, 1, 1)
    for i in range(count):
        stage = STAGES[rng.randrange(len(STAGES))]
        yield [
            f"BENCH-OPP-{i}",
            f"BENCH-ACC-{rng.randrange(accounts)}",
            f"Bench deal {i}",
            stage[0],
            f"{rng.randrange(1000, 500000)}.{rng.randrange(100):02d}",
            (start + datetime.timedelta(days=rng.randrange(720))).isoformat(),
            str(stage[1]),
            owner,
            TYPES[i % 3],
            SOURCES[i % 5],
        ]


def _write_csv(path: Path, count: int, accounts: int, owner: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(_deal_rows(count, accounts, owner))


def _empty_deals() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE sales_stagechange, sales_opportunity, sales_repmonthfigures, targets_closedmonthfigures CASCADE"
        )
        cursor.execute("VACUUM ANALYZE sales_opportunity")


def _plain_copy(count: int, accounts: int, owner_id: int, owner: str, *, paused: bool = False) -> float:
    """COPY the same rows as the table's columns: what the import's checks and staging are measured against.
    `paused`: as the seed loads, the reps' months' per-row trigger paused and the months rebuilt once."""
    from django.db import connection, transaction

    from tandem.sales import month_figures
    from tandem.sales.models import Account, Stage

    account_ids = dict(Account.objects.filter(external_id__startswith="BENCH-ACC-").values_list("external_id", "id"))
    stages = {s.name: s for s in Stage.objects.all()}
    types = {
        "New Customer": "new",
        "Existing Customer - Upgrade": "upsell",
        "Existing Customer - Replacement": "renewal",
    }
    sources = {
        "Web": "inbound",
        "Partner Referral": "partner",
        "Trade Show": "event",
        "Advertisement": "campaign",
        "Employee Referral": "referral",
    }
    columns = (
        "name, account_id, owner_id, amount, currency, amount_home, stage_id, probability, forecast_category, type,"
        " lead_source, close_date, loss_reason, loss_note, next_step, external_id, created_at, updated_at, closed_at,"
        " last_activity_at, version"
    )
    started = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC)
    with transaction.atomic():
        month_figures.pause_on_postgresql(paused=paused)
        copying = f"COPY sales_opportunity ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(copying) as copy:
            for row in _deal_rows(count, accounts, owner):
                stage = stages[row[3]]
                copy.write_row(
                    (
                        row[2],
                        account_ids[row[1]],
                        owner_id,
                        row[4],
                        "USD",
                        row[4],
                        stage.pk,
                        int(row[6]),
                        stage.forecast_category,
                        types[row[8]],
                        sources[row[9]],
                        row[5],
                        "other" if stage.is_lost else "",
                        "",
                        "",
                        row[0],
                        now,
                        now,
                        now if stage.is_closed else None,
                        now,
                        1,
                    )
                )
        if paused:
            month_figures.rebuild()
    return time.perf_counter() - started


def _remove_bench_deals() -> None:
    """A workspace run's deals go again (the months' trigger paused, the months rebuilt once)."""
    from django.db import connection, transaction

    from tandem.sales import month_figures

    with transaction.atomic(), connection.cursor() as cursor:
        month_figures.pause_on_postgresql(paused=True)
        bench = "SELECT id FROM sales_opportunity WHERE external_id LIKE 'BENCH-OPP-%'"
        cursor.execute(f"DELETE FROM sales_stagechange WHERE opportunity_id IN ({bench})")
        cursor.execute("DELETE FROM sales_opportunity WHERE external_id LIKE 'BENCH-OPP-%'")
        month_figures.rebuild()


def _pages(url: str, targets: list[str], requests: int) -> dict[str, dict[str, float]]:
    """Each page's p50 and p95 (ms) over a short bench.run against `url`."""
    only = [argument for target in targets for argument in ("--only", target)]
    command = [sys.executable, "-m", "bench.run", "--database-url", url, "--reuse", "--no-write"]
    command += ["--requests", str(requests), "--warmup", "10", *only]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    figures = {}
    for line in output.splitlines():
        # the report's line of a target: its name, then p50 p95 p99 mean req/s err …
        match = re.match(r"^(.+?)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\d+\s", line)
        if match:
            figures[match.group(1)] = {"p50_ms": float(match.group(2)), "p95_ms": float(match.group(3))}
    return figures


def _pages_during(job_id: int, worker: subprocess.Popen[str], url: str, targets: list[str], requests: int) -> list[Any]:
    """The pages timed once while the worker checks and once while it writes (a phase over before
    its pass could start is left out)."""
    from tandem.imports.models import ImportJob

    def status() -> str:
        return ImportJob.objects.filter(pk=job_id).values_list("status", flat=True).get()

    passes: list[Any] = []
    for phase in (ImportJob.Status.CHECKING, ImportJob.Status.IMPORTING):
        while worker.poll() is None and status() not in (phase, ImportJob.Status.IMPORTING):
            time.sleep(1)
        if worker.poll() is not None or status() != phase:
            continue
        started = time.perf_counter()
        figures = _pages(url, targets, requests)
        passes.append(
            {
                "while": phase,
                "pages": figures,
                "seconds": round(time.perf_counter() - started, 1),
                "ended_while": status() if worker.poll() is None else "worker done",
                "load_average": os.getloadavg(),
            }
        )
    return passes


def _note_write_start(job_id: int, worker: subprocess.Popen[str], writing: list[float]) -> None:
    """When the worker's check ends and its write begins (polled twice a second)."""
    from django.db import connection

    from tandem.imports.models import ImportJob

    try:
        while worker.poll() is None and not writing:
            if ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.IMPORTING).exists():
                writing.append(time.perf_counter())
            time.sleep(0.5)
    finally:
        connection.close()


def _import(
    path: Path, admin_id: int, env: dict[str, str], pages: tuple[str, list[str], int] | None = None
) -> dict[str, object]:
    from django.core.files.uploadedfile import UploadedFile

    from tandem.imports import services
    from tandem.imports.models import ImportJob
    from tandem.people.models import User

    admin = User.objects.get(pk=admin_id)
    with path.open("rb") as handle:
        job = services.import_job_upload(
            actor=admin, kind="opportunity", upload=UploadedFile(handle, name=path.name, size=path.stat().st_size)
        )
    started = time.perf_counter()
    services.import_job_configure(
        actor=admin,
        job=job,
        expected_version=job.version,
        encoding=job.encoding,
        delimiter=job.delimiter,
        decimal_separator=job.decimal_separator,
        date_format=job.date_format,
        mapping=job.mapping,
        value_map=job.value_map,
    )
    worker = subprocess.Popen(
        ["/usr/bin/time", "-v", sys.executable, str(ROOT / "manage.py"), "worker", "--batch"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    writing: list[float] = []
    watcher = threading.Thread(target=_note_write_start, args=(job.pk, worker, writing))
    watcher.start()
    during = _pages_during(job.pk, worker, *pages) if pages else []
    _, stderr = worker.communicate()
    elapsed = time.perf_counter() - started
    watcher.join()
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    cpu = sum(float(s) for s in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", stderr))
    job = ImportJob.objects.get(pk=job.pk)
    return {
        **({"pages_during": during} if pages else {}),
        "seconds": round(elapsed, 1),
        "checked_after_seconds": round(writing[0] - started, 1) if writing else None,
        "worker_cpu_seconds": round(cpu, 1),
        "worker_peak_rss_mb": round(int(peak.group(1)) / 1024, 1) if peak else None,
        "status": job.status,
        "error": job.error,
        "counts": {
            "rows": job.rows_total,
            "created": job.created,
            "updated": job.updated,
            "skipped": job.skipped,
            "failed": job.failed,
        },
        "worker_exit": worker.returncode,
        "load_average_after": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--copy-trigger-firing",
        action="store_true",
        help="also time the COPY with the months' per-row trigger firing (minutes from 100,000 rows on)",
    )
    parser.add_argument(
        "--workspace",
        action="store_true",
        help="import into a seeded workspace as it is: no COPY baseline; the benchmark's deals are deleted after",
    )
    parser.add_argument("--pages", action="append", default=[], help="time these pages idle, then during the import")
    parser.add_argument("--pages-requests", type=int, default=100)
    options = parser.parse_args()
    if not options.url.startswith("postgres"):
        sys.exit("Give a PostgreSQL DATABASE_URL (or --url): the fast path and its COPY baseline are PostgreSQL's.")
    env = _environment(options.url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    admin_id, owner = _prepare(options.accounts, workspace=options.workspace)
    pages = (options.url, options.pages, options.pages_requests) if options.pages else None
    figures: dict[str, Any] = {"rows": options.rows, "load_average_before": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="tandem-bench-import-") as directory:
        path = Path(directory) / "opportunities.csv"
        _write_csv(path, options.rows, options.accounts, owner)
        figures["file_mb"] = round(path.stat().st_size / 1024**2, 1)
        if not options.workspace:
            if options.copy_trigger_firing:
                _empty_deals()
                figures["copy_seconds"] = round(_plain_copy(options.rows, options.accounts, admin_id, owner), 1)
            _empty_deals()
            copy_paused = _plain_copy(options.rows, options.accounts, admin_id, owner, paused=True)
            figures["copy_trigger_paused_seconds"] = round(copy_paused, 1)
            _empty_deals()
        if pages:
            _pages(*pages)  # untimed: warms the caches of a freshly copied database
            figures["pages_idle"] = _pages(*pages)
        result = _import(path, admin_id, env, pages)
        if options.workspace:
            _remove_bench_deals()
    seconds: float = result["seconds"]  # type: ignore[assignment]
    figures["import"] = result
    if "copy_seconds" in figures:
        figures["ratio_to_copy"] = round(seconds / figures["copy_seconds"], 2)
    figures["targets"] = {"ratio_at_most": 3, "seconds_at_most": 600, "worker_rss_mb_below": 512}
    if not options.workspace:
        ratio = seconds / figures["copy_trigger_paused_seconds"]
        figures["ratio_to_copy_trigger_paused"] = round(ratio, 2)
        figures["met"] = ratio <= 3 and seconds <= 600 and (result["worker_peak_rss_mb"] or 0) < 512  # type: ignore[operator]
    figures["at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    print(json.dumps(figures, indent=2))
    out = ROOT / "bench" / "results" / f"imports-{datetime.datetime.now(datetime.UTC):%Y-%m-%dT%H%M%SZ}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
