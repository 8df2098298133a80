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

Targets (docs/importing.md): import at most 3x COPY, ≤ 10 minutes, worker < 512 MB. Results are printed
and written to bench/results/imports-<time>.json.
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
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

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


def _prepare(accounts: int) -> tuple[int, str]:
    from django.core.management import call_command
    from django.db import connection

    from tandem.core.bulk import Table, writer_for
    from tandem.core.roles import Role
    from tandem.people.models import User
    from tandem.sales.models import Account, Opportunity, Stage

    call_command("migrate", verbosity=0)
    if Opportunity.objects.exclude(external_id__startswith="BENCH-").exists():
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


def _import(path: Path, admin_id: int, env: dict[str, str]) -> dict[str, object]:
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
    worker = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, str(ROOT / "manage.py"), "worker", "--batch"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", worker.stderr)
    job = ImportJob.objects.get(pk=job.pk)
    return {
        "seconds": round(elapsed, 1),
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
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL", ""))
    options = parser.parse_args()
    if not options.url.startswith("postgres"):
        sys.exit("Give a PostgreSQL DATABASE_URL (or --url): the fast path and its COPY baseline are PostgreSQL's.")
    env = _environment(options.url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    admin_id, owner = _prepare(options.accounts)
    with tempfile.TemporaryDirectory(prefix="tandem-bench-import-") as directory:
        path = Path(directory) / "opportunities.csv"
        _write_csv(path, options.rows, options.accounts, owner)
        size_mb = path.stat().st_size / 1024**2
        _empty_deals()
        copy_seconds = _plain_copy(options.rows, options.accounts, admin_id, owner)
        _empty_deals()
        copy_paused_seconds = _plain_copy(options.rows, options.accounts, admin_id, owner, paused=True)
        _empty_deals()
        result = _import(path, admin_id, env)
    ratio = result["seconds"] / copy_seconds  # type: ignore[operator]
    figures = {
        "rows": options.rows,
        "file_mb": round(size_mb, 1),
        "copy_seconds": round(copy_seconds, 1),
        "copy_trigger_paused_seconds": round(copy_paused_seconds, 1),
        "import": result,
        "ratio_to_copy": round(ratio, 2),
        "ratio_to_copy_trigger_paused": round(result["seconds"] / copy_paused_seconds, 2),  # type: ignore[operator]
        "targets": {"ratio_at_most": 3, "seconds_at_most": 600, "worker_rss_mb_below": 512},
        "met": ratio <= 3 and result["seconds"] <= 600 and (result["worker_peak_rss_mb"] or 0) < 512,  # type: ignore[operator]
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(figures, indent=2))
    out = ROOT / "bench" / "results" / f"imports-{datetime.datetime.now(datetime.UTC):%Y-%m-%dT%H%M%SZ}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
