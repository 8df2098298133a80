"""Load with faults: many users on the large workspace, the worker busy, PostgreSQL restarted mid-run.

    python -m bench.faults [--database-url postgres://root@127.0.0.1:5432/tandem_large] [--users 80]
        [--duration 300] [--restart-at 120] [--fault restart|terminate|none] [--conn-health-checks true]

It serves Tandem with gunicorn (3 sync workers, production settings, JSON logs), runs `manage.py
db_worker` under a supervisor that restarts it 5 s after it exits (as `deploy/systemd/tandem-worker.service`
does), keeps the worker busy (every 15 s, in turn, an exchange-rate correction that recomputes the deals
that rate converts, and a scoring-weights change that rescores every feature), and drives Locust
(bench/locustfile.py) with `--users` users. At `--restart-at` seconds it restarts PostgreSQL
(`pg_ctlcluster … restart`, fast mode) once, after making sure no test run or other session is
using the server; `--fault terminate` only kills the connections to this database, which
disturbs no one else. Afterwards it reports latency percentiles and errors by kind before, during
and after the fault, how long errors went on once the database was back, what the worker did, and
whether every ask the server acknowledged (201) is in the database.

A benchmark, not a test: it asserts nothing and never runs in CI. It adds a few hundred asks,
marked with the run's id, to the database it runs on. docs/benchmarks.md, "Load with faults".
"""

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import django
import psycopg

from bench import seed_large
from bench.cpu import describe as describe_cpu
from bench.load import percentile
from bench.server import running

RESULTS = Path(__file__).resolve().parent / "results"
WORKER_RESTART_SECONDS = 5  # RestartSec= of deploy/systemd/tandem-worker.service
RECOVERY_WINDOW_SECONDS = 30  # after the database is back: the "recovery" phase of the report
REPS, MANAGERS, PRODUCT_MANAGERS = 24, 8, 4


def _plan(rng: random.Random, session_keys: list[str], marker: str) -> dict[str, Any]:
    """Who the users act as, signed in the way the server checks them (bench/world.py)."""
    from django.db.models import Count, Q

    from bench.world import sign_in
    from tandem.core.roles import Role
    from tandem.people.models import Team, User
    from tandem.sales.models import Account, Opportunity, Stage

    open_deals = Q(opportunities__stage__is_won=False, opportunities__stage__is_lost=False)
    reps = list(
        User.objects.filter(role=Role.REP, is_active=True)
        .annotate(open_deals=Count("opportunities", filter=open_deals))
        .filter(open_deals__gte=3)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    principals: dict[str, list[dict[str, Any]]] = {"rep": [], "sales_manager": [], "product_manager": []}
    for rep_id in rng.sample(reps, REPS):
        deals = Opportunity.objects.filter(owner_id=rep_id, stage__is_won=False, stage__is_lost=False)
        rep = _principal(sign_in(User.objects.get(pk=rep_id), session_keys))
        rep["deals"] = [{"id": pk, "account": account} for pk, account in deals.values_list("pk", "account_id")[:20]]
        principals["rep"].append(rep)
    manager_ids = list(Team.objects.filter(manager__role=Role.SALES_MANAGER).values_list("manager_id", flat=True))
    for manager_id in rng.sample(sorted(set(manager_ids)), MANAGERS):
        manager = _principal(sign_in(User.objects.get(pk=manager_id), session_keys))
        manager["reps"] = list(
            User.objects.filter(team__manager_id=manager_id, role=Role.REP).values_list("pk", flat=True)
        )
        principals["sales_manager"].append(manager)
    pm_ids = list(User.objects.filter(role=Role.PRODUCT_MANAGER, is_active=True).values_list("pk", flat=True))
    for pm_id in rng.sample(sorted(pm_ids), PRODUCT_MANAGERS):
        principals["product_manager"].append(_principal(sign_in(User.objects.get(pk=pm_id), session_keys)))
    executive = User.objects.filter(role=Role.EXECUTIVE, is_active=True).order_by("pk").first()
    assert executive is not None, "seed the large workspace first"
    principals["executive"] = [_principal(sign_in(executive, session_keys))]
    account_ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    return {
        "marker": marker,
        "principals": principals,
        "open_stages": list(Stage.objects.filter(is_won=False, is_lost=False).values_list("pk", flat=True)),
        "accounts": rng.sample(account_ids, 2000),
    }


def _principal(principal: Any) -> dict[str, Any]:
    return {"user_id": principal.user_id, "cookie": principal.cookie, "token": principal.token}


class WorkerSupervisor:
    """`manage.py db_worker`, started again WORKER_RESTART_SECONDS after it exits, each time after
    `manage.py tasks_resume` (systemd's Restart=always and ExecStartPre in tandem-worker.service):
    what happens to it, and to its tasks, when the database goes away."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.events: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.thread = threading.Thread(target=self._loop, name="worker-supervisor", daemon=True)

    def __enter__(self) -> "WorkerSupervisor":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # db_worker finishes its task on SIGTERM; give it a while
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.thread.join(timeout=70)

    def _loop(self) -> None:
        worker_id = "bench-faults-worker-1"
        command = [sys.executable, "manage.py", "db_worker", "--interval=1", "--no-startup-delay", "-v", "1"]
        command.append(f"--worker-id={worker_id}")
        resume = [sys.executable, "manage.py", "tasks_resume", f"--worker-id={worker_id}"]
        with self.log.open("a") as out:
            while not self.stopping.is_set():
                resumed = subprocess.run(resume, cwd=seed_large.ROOT, env=self.env, capture_output=True, text=True)
                out.write(resumed.stdout + resumed.stderr)
                self.events.append(
                    {"t": time.time(), "event": "resumed", "tasks": resumed.stdout.count("Queued again")}
                )
                self.process = subprocess.Popen(command, cwd=seed_large.ROOT, env=self.env, stdout=out, stderr=out)
                self.events.append({"t": time.time(), "event": "started", "pid": self.process.pid})
                code = self.process.wait()
                self.events.append({"t": time.time(), "event": "exited", "code": code})
                if self.stopping.wait(WORKER_RESTART_SECONDS):
                    return


class Busy(threading.Thread):
    """Keeps the worker busy the way people do, every `every` seconds in turn: an admin corrects a
    euro or pound rate (the deals it converts are recomputed, with their asks and features'
    evidence), an executive changes a weight (every feature is rescored). Made through the
    services, as the admin and the weights page make them."""

    def __init__(self, stop: threading.Event, every: float) -> None:
        super().__init__(name="busy", daemon=True)
        self.stop, self.every = stop, every
        self.enqueued: list[dict[str, Any]] = []

    def run(self) -> None:
        from django.db import close_old_connections

        from tandem.core.models import ExchangeRate
        from tandem.core.roles import Role
        from tandem.people.models import User
        from tandem.product.models import ScoringSettings
        from tandem.product.services import scoring_settings_update
        from tandem.sales.services import exchange_rate_set

        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        executive = User.objects.filter(role=Role.EXECUTIVE, is_active=True).order_by("pk").first()
        assert admin is not None
        assert executive is not None
        rates = list(ExchangeRate.objects.filter(currency__in=("EUR", "GBP")).order_by("-valid_from"))
        assert rates
        step = Decimal("0.01")
        turn = 0
        while True:
            try:
                close_old_connections()
                if turn % 2 == 0:  # the newest rates first: they convert the open pipeline
                    rate = rates[(turn // 2) % len(rates)]
                    rate.refresh_from_db()
                    exchange_rate_set(
                        actor=admin,
                        rate=rate,
                        currency=rate.currency,
                        valid_from=rate.valid_from,
                        rate_to_home=rate.rate_to_home + Decimal("0.0001"),
                    )
                    self.enqueued.append(
                        {"t": time.time(), "what": f"{rate.currency} rate of {rate.valid_from} corrected"}
                    )
                else:
                    weight = ScoringSettings.objects.get(id=1).weight_urgency
                    step = -step
                    scoring_settings_update(actor=executive, weight_urgency=max(weight + step, Decimal("0")))
                    self.enqueued.append({"t": time.time(), "what": "urgency weight changed"})
            except Exception as exc:  # the database may be restarting: the next turn tries again
                self.enqueued.append({"t": time.time(), "what": f"change failed: {exc!r}"[:200]})
            turn += 1
            if self.stop.wait(self.every):
                return


def _postgresql_users(url: str) -> list[str]:
    """What else uses this PostgreSQL server now: test runs against PostgreSQL (pytest with a
    postgres DATABASE_URL), backups and restores (pg_dump, pg_restore), and busy sessions on other
    databases. A restart would break them."""
    busy = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if (
                not any(name in cmdline for name in ("pytest", "pg_dump", "pg_restore"))
                or str(os.getpid()) == proc.name
            ):
                continue
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        database = next((v.decode(errors="replace") for v in environ if v.startswith(b"DATABASE_URL=")), "")
        program = cmdline.split()[0].rsplit("/", 1)[-1]
        if program in ("pg_dump", "pg_restore"):
            busy.append(f"{program} pid {proc.name} is copying a database")
            continue
        if "postgres" in database:
            busy.append(f"pytest pid {proc.name} on {database.split('@')[-1]}: {cmdline[:120]}")
    mine = seed_large.database_name(url)
    with psycopg.connect(seed_large.maintenance_url(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname, count(*) FROM pg_stat_activity WHERE datname IS NOT NULL"
            " AND datname NOT IN (%s, 'postgres') AND state IS DISTINCT FROM 'idle' AND pid <> pg_backend_pid()"
            " GROUP BY datname",
            [mine],
        ).fetchall()
    busy += [f"{count} busy connections on database {name}" for name, count in rows]
    return busy


def _wait_for_quiet(url: str, max_wait: float, notes: list[str]) -> bool:
    """Wait until nothing else uses PostgreSQL, at most `max_wait` seconds; whether it is quiet."""
    waited_from = time.time()
    while busy := _postgresql_users(url):
        if time.time() - waited_from > max_wait:
            notes.append(f"still busy after {max_wait:.0f} s: {busy}")
            return False
        if not notes or notes[-1] != f"waiting: {busy}":
            notes.append(f"waiting: {busy}")
            print(f"waiting before the restart: {busy}", flush=True)
        time.sleep(5)
    return True


def _restart(url: str, fault: str, max_wait: float, notes: list[str]) -> dict[str, Any]:
    """Restart PostgreSQL (or kill this database's connections), once nothing else needs it."""
    if fault == "restart":
        if not _wait_for_quiet(url, max_wait, notes):
            return {"done": False}
        ps = subprocess.run("ps aux | grep pytest | grep -v grep", shell=True, capture_output=True, text=True)
        notes.append(f"ps aux | grep pytest before the restart: {ps.stdout.strip() or '(none)'}")
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
    else:
        command = []
    began = time.time()
    if command:
        result = subprocess.run(command, capture_output=True, text=True)
        notes.append(f"{' '.join(command)}: exit {result.returncode} {result.stderr.strip()}")
    else:
        with psycopg.connect(seed_large.maintenance_url(url), autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [seed_large.database_name(url)],
            )
    command_done = time.time()
    while True:  # the database is back when a new connection answers
        try:
            with psycopg.connect(url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            break
        except psycopg.OperationalError:
            time.sleep(0.05)
    back = time.time()
    return {
        "done": True,
        "fault": fault,
        "began": began,
        "command_seconds": round(command_done - began, 2),
        "back": back,
        "down_seconds": round(back - began, 2),
        "at": datetime.datetime.fromtimestamp(began, tz=datetime.UTC).isoformat(timespec="seconds"),
    }


def _stats(entries: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = sorted(e["ms"] for e in entries)
    errors: dict[str, int] = {}
    for e in entries:
        if e["error"]:
            errors[e["error"]] = errors.get(e["error"], 0) + 1
    return {
        "requests": len(entries),
        "errors": sum(errors.values()),
        "error_kinds": dict(sorted(errors.items(), key=lambda item: -item[1])),
        "p50_ms": percentile(latencies, 50) if latencies else None,
        "p95_ms": percentile(latencies, 95) if latencies else None,
        "p99_ms": percentile(latencies, 99) if latencies else None,
        "max_ms": latencies[-1] if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
    }


def _analyse(
    events: list[dict[str, Any]], fault: dict[str, Any] | None, started: float, ended: float
) -> dict[str, Any]:
    for e in events:
        e["start"] = e["t"] - e["ms"] / 1000
    report: dict[str, Any] = {
        "whole_run": _stats(events),
        "per_second": round(len(events) / (ended - started), 1),
        "by_request": {
            name: _stats([e for e in events if e["name"] == name]) for name in sorted({e["name"] for e in events})
        },
    }
    if not fault or not fault.get("done"):
        return report
    began, back = fault["began"], fault["back"]
    phases = {
        "before": [e for e in events if e["t"] < began],
        "during": [e for e in events if e["t"] >= began and e["start"] < back],
        "recovery": [e for e in events if back <= e["start"] < back + RECOVERY_WINDOW_SECONDS],
        "after": [e for e in events if e["start"] >= back + RECOVERY_WINDOW_SECONDS],
    }
    report["phases"] = {name: _stats(entries) for name, entries in phases.items()}
    errors_from_fault = [e for e in events if e["error"] and e["t"] >= began]
    last_error = max((e["t"] for e in errors_from_fault), default=None)
    report["recovery"] = {
        "database_down_seconds": fault["down_seconds"],
        "errors_after_fault_began": len(errors_from_fault),
        "first_error_after_fault_s": round(min(e["t"] for e in errors_from_fault) - began, 2)
        if errors_from_fault
        else None,
        "last_error_after_database_back_s": round(last_error - back, 2) if last_error else None,
        "errors_started_after_database_back": sum(1 for e in errors_from_fault if e["start"] >= back),
    }
    timeline = []
    for second in range(int(began) - 5, int(back) + 16):
        in_second = [e for e in events if second <= e["t"] < second + 1]
        timeline.append(
            {
                "s": second - int(began),
                "ok": sum(1 for e in in_second if not e["error"]),
                "errors": sum(1 for e in in_second if e["error"]),
                "p95_ms": percentile(sorted(e["ms"] for e in in_second), 95) if in_second else None,
            }
        )
    report["timeline_around_fault"] = timeline
    return report


def _writes(url: str, marker: str, acks_path: Path) -> dict[str, Any]:
    """Every ask the server acknowledged must be in the database; unacknowledged attempts may or may not be."""
    lines = [json.loads(line) for line in acks_path.read_text().splitlines() if line.strip()]
    acknowledged = {line["id"]: line["need"] for line in lines if line["id"] is not None}
    unacknowledged = {line["need"] for line in lines if line["id"] is None}
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id, need FROM asks_ask WHERE need LIKE %s", [f"{marker} #%"]).fetchall()
    found: dict[int, str] = dict(rows)
    lost = [ask_id for ask_id, need in acknowledged.items() if found.get(ask_id) != need]
    return {
        "attempted": len(lines),
        "acknowledged": len(acknowledged),
        "acknowledged_found": len(acknowledged) - len(lost),
        "acknowledged_lost": len(lost),
        "lost_ids": lost[:20],
        "unacknowledged": len(unacknowledged),
        "unacknowledged_found_anyway": len(unacknowledged & set(found.values())),
        "in_database_with_marker": len(found),
        # Requests still waiting for their answer when Locust stopped its users: written, never answered.
        "in_flight_at_stop_found": len(found)
        - (len(acknowledged) - len(lost))
        - len(unacknowledged & set(found.values())),
    }


def _tasks(url: str, since: float) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT task_path, status, count(*) FROM django_tasks_database_dbtaskresult"
            " WHERE enqueued_at >= to_timestamp(%s) GROUP BY task_path, status ORDER BY 1, 2",
            [since],
        ).fetchall()
        scoring = conn.execute("SELECT recompute_requested_at, recomputed_at FROM product_scoringsettings").fetchone()
    return {
        "by_task_and_status": [
            {"task": path.rsplit(".", 1)[-1], "status": status, "count": n} for path, status, n in rows
        ],
        "weights_page_says": "rescoring (not finished)"
        if scoring and scoring[0] and (not scoring[1] or scoring[1] < scoring[0])
        else "every feature rescored",
    }


def _server_log(path: Path) -> dict[str, int]:
    """What the web processes logged (LOG_FORMAT=json, LOG_LEVEL=WARNING): Django logs every 5xx
    answer at ERROR with its traceback; gunicorn's own lines are text."""
    entries, text = [], []
    for line in path.read_text(errors="replace").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            text.append(line)
    return {
        "service_unavailable_503": sum(1 for e in entries if e["message"].startswith("Service Unavailable")),
        "internal_server_error_500": sum(1 for e in entries if e["message"].startswith("Internal Server Error")),
        "json_lines": len(entries),
        "gunicorn_worker_timeouts": sum(1 for line in text if "WORKER TIMEOUT" in line),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=seed_large.DEFAULT_URL)
    parser.add_argument("--users", type=int, default=80)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=300, help="seconds of load")
    parser.add_argument("--restart-at", type=float, default=120, help="seconds into the load")
    parser.add_argument("--fault", choices=("restart", "terminate", "none"), default="restart")
    parser.add_argument(
        "--max-wait",
        type=float,
        default=1800,
        help="seconds to wait, before starting, for others to finish with PostgreSQL",
    )
    parser.add_argument("--conn-health-checks", choices=("true", "false"), default="true")
    parser.add_argument("--change-every", type=float, default=15, help="seconds between two changes for the worker")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--random-seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results/ alone")
    args = parser.parse_args()
    url = args.database_url
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H%M%SZ")
    run_dir = seed_large.LOG_DIR / "faults" / stamp
    run_dir.mkdir(parents=True)
    marker = f"faults-{stamp}"
    env = {"CONN_HEALTH_CHECKS": args.conn_health_checks, "LOG_FORMAT": "json", "LOG_LEVEL": "WARNING"}
    os.environ.update(seed_large.django_env(url) | env)
    django.setup()
    from bench.world import sign_out

    notes: list[str] = []
    if args.fault == "restart" and not _wait_for_quiet(url, args.max_wait, notes):
        raise SystemExit(f"PostgreSQL is in use by others; not starting a run that would restart it: {notes[-1]}")
    load_before = os.getloadavg()
    session_keys: list[str] = []
    fault: dict[str, Any] | None = None
    try:
        plan = _plan(random.Random(args.random_seed), session_keys, marker)
        (run_dir / "plan.json").write_text(json.dumps(plan))
        with (
            running(url, workers=args.workers, threads=1, env=env) as server,
            WorkerSupervisor({**os.environ}, run_dir / "worker.log") as worker,
        ):
            stop = threading.Event()
            busy = Busy(stop, args.change_every)
            command = [
                str(Path(sys.executable).parent / "locust"),
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                f"--users={args.users}",
                f"--spawn-rate={args.spawn_rate}",
                f"--run-time={args.duration}s",
                "--stop-timeout=10",
                f"--host=http://{server.host}:{server.port}",
                f"--csv={run_dir / 'locust'}",
                "--only-summary",
            ]
            locust_env = {
                **os.environ,
                "FAULTS_PLAN": str(run_dir / "plan.json"),
                "FAULTS_EVENTS": str(run_dir / "events.jsonl"),
                "FAULTS_ACKS": str(run_dir / "acks.jsonl"),
            }
            started = time.time()
            with (run_dir / "locust.log").open("w") as out:
                locust = subprocess.Popen(command, env=locust_env, stdout=out, stderr=subprocess.STDOUT)
                busy.start()
                if args.fault != "none":
                    time.sleep(max(0.0, started + args.restart_at - time.time()))
                    print(f"fault ({args.fault}) at {time.time() - started:.0f} s …", flush=True)
                    # Checked again at the moment of the restart: a test run may have begun meanwhile.
                    fault = _restart(url, args.fault, 60, notes)
                    print(f"database back after {fault.get('down_seconds')} s", flush=True)
                locust.wait(timeout=args.duration + args.max_wait + 120)
            ended = time.time()
            stop.set()
            busy.join(timeout=30)
            worker_events = worker.events
        facts = {"started": started, "ended": ended, "fault": fault, "notes": notes, "worker": worker_events}
        (run_dir / "run.json").write_text(json.dumps(facts | {"busy": busy.enqueued}, indent=2))
        events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines() if line]
        results: dict[str, Any] = {
            "started_at": stamp,
            "machine": {
                "cpu": describe_cpu(),
                "nproc": os.cpu_count(),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
            },
            "config": {
                "users": args.users,
                "duration_s": args.duration,
                "restart_at_s": args.restart_at,
                "fault": args.fault,
                "conn_health_checks": args.conn_health_checks,
                "conn_max_age": 60,
                "gunicorn": f"{args.workers} sync workers",
                "think_time_s": "1-3",
            },
            "fault": fault,
            "notes": notes,
            "http": _analyse(events, fault, started, ended),
            "writes": _writes(url, marker, run_dir / "acks.jsonl"),
            "worker": {
                "restarts": [{**e, "t": round(e["t"] - started, 1)} for e in worker_events],
                "busy": [{**e, "t": round(e["t"] - started, 1)} for e in busy.enqueued],
                "tasks": _tasks(url, started - 5),
            },
            "server_log": _server_log(seed_large.LOG_DIR / "gunicorn.log"),
            "run_dir": str(run_dir.relative_to(seed_large.ROOT)),
        }
    finally:
        from django.db import connection

        connection.close()  # killed by the fault; sign out on a new one
        sign_out(session_keys)
    http: dict[str, Any] = results["http"]
    summary = {k: v for k, v in http.items() if k not in ("by_request", "timeline_around_fault")}
    print(json.dumps({k: v for k, v in results.items() if k != "http"} | {"http": summary}, indent=2))
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"faults-{stamp}.json"
        path.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {path.relative_to(seed_large.ROOT)}")


if __name__ == "__main__":
    main()
