"""Backups an operator can trust: each one records what it holds, and a restore proves it got it back.

A backup is two files in BACKUP_DIR: the copy itself (`tandem-<UTC time>.dump`, PostgreSQL's custom
format from `pg_dump`; `.sqlite3` from SQLite's online backup API) and its manifest
(`tandem-<UTC time>.json`): when, the file's size and SHA-256, the migrations applied, and every
table's row count and checksum. On PostgreSQL the figures are read in the very snapshot `pg_dump`
copies (`pg_export_snapshot`), so they match the dump exactly while people keep working.

A restore goes into an empty database only, checks the file against its manifest first, then
compares every table's rows and checksum, the migrations and `manage.py check` with what the
backup recorded. docs/backup.md is the operator's guide.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.migrations.loader import MigrationLoader

FORMAT = "tandem-backup/1"
PREFIX = "tandem-"
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
# Row text that PostgreSQL writes the same way whatever the server or session defaults are: the
# checksum of a table must not change because the restoring server runs in another time zone.
_CANONICAL_OUTPUT = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL bytea_output = 'hex'",
    "SET LOCAL extra_float_digits = 1",
)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class Verification:
    """What a restore checked, each line a finding; `problems` empty means the restore is whole."""

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _vendor() -> str:
    if connection.vendor not in SUFFIXES:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _tables(cursor: CursorWrapper) -> list[str]:
    return sorted(connection.introspection.table_names(cursor))


def _row_hash(row: tuple[Any, ...]) -> int:
    return int(hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest()[:15], 16)


def _postgresql_figures(cursor: CursorWrapper) -> dict[str, dict[str, Any]]:
    """Rows and a checksum per table: the sum of the first 60 bits of each row's MD5, so rows may
    come back in any order. It tells a table whose rows differ in any value, not a forgery."""
    for statement in _CANONICAL_OUTPUT:
        cursor.execute(statement)
    figures: dict[str, dict[str, Any]] = {}
    for table in _tables(cursor):
        cursor.execute(
            "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 15))::bit(60)::bigint), 0)::text "
            f"FROM {connection.ops.quote_name(table)} AS t"
        )
        rows, checksum = cursor.fetchone()
        figures[table] = {"rows": int(rows), "checksum": checksum}
    return figures


def _sqlite_figures(path: Path | str) -> tuple[dict[str, dict[str, Any]], list[list[str]]]:
    """The same figures for an SQLite file, and its migrations, read as stored: Django's own
    connection converts dates and booleans on the way out, which would change the checksums."""
    db = sqlite3.connect(path)
    try:
        names = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        figures: dict[str, dict[str, Any]] = {}
        for (table,) in names:
            rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
            figures[table] = {"rows": len(rows), "checksum": str(sum(_row_hash(tuple(row)) for row in rows))}
        migrations = []
        if "django_migrations" in figures:
            migrations = [list(row) for row in db.execute("SELECT app, name FROM django_migrations ORDER BY app, name")]
    finally:
        db.close()
    return figures, migrations


def _applied_migrations(cursor: CursorWrapper) -> list[list[str]]:
    if "django_migrations" not in _tables(cursor):
        return []  # an empty database, or not Tandem's
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as copy:
        while chunk := copy.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    """The configured database for pg_dump and pg_restore, through libpq's variables: a password
    in the environment, unlike one on the command line, is not shown to other users by `ps`."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], *, env: dict[str, str] | None = None) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install PostgreSQL's client programs (postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


@contextmanager
def _snapshot() -> Iterator[tuple[CursorWrapper, str | None]]:
    """A read-only transaction that sees one moment of the database; on PostgreSQL, the id under
    which `pg_dump --snapshot` copies exactly that moment."""
    if connection.vendor != "postgresql":
        # SQLite's backup API is consistent by itself, and must not run inside a transaction of the
        # connection it copies: it would wait forever for that transaction's lock.
        with connection.cursor() as cursor:
            yield cursor, None
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield cursor, cursor.fetchone()[0]


def backup_create(*, directory: Path, keep: int) -> dict[str, Any]:
    """Copy the database into `directory` with its manifest, then remove all but the `keep` newest
    backups there. A copy that fails half-way leaves no file that looks like a backup."""
    vendor = _vendor()
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    name = f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S.%f')[:-3]}Z"
    copy = directory / f"{name}{SUFFIXES[vendor]}"
    partial = directory / f".{name}.partial"
    started = time.perf_counter()
    with _snapshot() as (cursor, snapshot):
        if vendor == "postgresql":
            # pg_dump copies while this transaction reads the figures of the same snapshot.
            if shutil.which("pg_dump") is None:
                raise BackupError("pg_dump is not installed: install PostgreSQL's client programs (postgresql-client).")
            command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"]
            dump = subprocess.Popen(command, env=_pg_env(), stderr=subprocess.PIPE, text=True)
            figures_started = time.perf_counter()
            figures = _postgresql_figures(cursor)
            migrations = _applied_migrations(cursor)
            figures_seconds = time.perf_counter() - figures_started
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
            _, stderr = dump.communicate()
            if dump.returncode != 0:
                partial.unlink(missing_ok=True)
                raise BackupError(f"pg_dump failed ({dump.returncode}): {stderr.strip()}")
        else:
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)  # SQLite's online backup API: a consistent copy
            finally:
                target.close()
            server_version = sqlite3.sqlite_version
    copied_seconds = time.perf_counter() - started
    if vendor == "sqlite":
        figures_started = time.perf_counter()
        figures, migrations = _sqlite_figures(partial)  # the copy's own: what a restore gets back
        figures_seconds = time.perf_counter() - figures_started
    partial.rename(copy)
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "vendor": vendor,
        "server_version": server_version,
        "file": copy.name,
        "bytes": copy.stat().st_size,
        "sha256": _sha256(copy),
        "seconds": round(time.perf_counter() - started, 1),
        "copy_seconds": round(copied_seconds, 1),
        "figures_seconds": round(figures_seconds, 1),
        "migrations": migrations,
        "tables": figures,
    }
    manifest_path = directory / f"{name}.json"
    temporary = directory / f".{name}.json.partial"
    temporary.write_text(json.dumps(manifest, indent=2) + "\n")
    temporary.rename(manifest_path)
    manifest["manifest"] = str(manifest_path)
    manifest["removed"] = [str(path) for path in backups_prune(directory=directory, keep=keep)]
    return manifest


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest backups of `directory`, each with its manifest. Only files
    that a manifest names are touched: nothing else an operator keeps there."""
    manifests = []
    for path in directory.glob(f"{PREFIX}*.json"):
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if manifest.get("format") == FORMAT:
            manifests.append((manifest["created_at"], path, directory / manifest["file"]))
    manifests.sort(reverse=True)
    removed = []
    for _, manifest_path, copy in manifests[max(keep, 1) :]:
        for path in (copy, manifest_path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def manifest_read(path: Path) -> tuple[dict[str, Any], Path]:
    """The manifest of a backup named by either of its two files, and the copy's path."""
    manifest_path = path if path.suffix == ".json" else path.with_suffix(".json")
    try:
        manifest = json.loads(manifest_path.read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"No manifest {manifest_path.name} beside the backup: it cannot be checked.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{manifest_path.name} is not a Tandem backup manifest.")
    return manifest, manifest_path.parent / manifest["file"]


def backup_restore(*, path: Path, jobs: int = 1) -> Verification:
    """Restore a backup into the configured database, which must be empty, then verify it."""
    manifest, copy = manifest_read(path)
    vendor = _vendor()
    if manifest["vendor"] != vendor:
        raise BackupError(f"This is a {manifest['vendor']} backup; the configured database is {vendor}.")
    if not copy.exists():
        raise BackupError(f"The backup file {copy.name} is missing.")
    if copy.stat().st_size != manifest["bytes"] or _sha256(copy) != manifest["sha256"]:
        raise BackupError(f"{copy.name} is damaged: its size or SHA-256 is not what the backup recorded.")
    with connection.cursor() as cursor:
        present = _tables(cursor)
    if present:
        raise BackupError(
            f"The configured database is not empty ({len(present)} tables). Restore into a new, empty "
            "database (createdb), then point DATABASE_URL at it."
        )
    started = time.perf_counter()
    if vendor == "postgresql":
        # Objects belong to whoever restores (the app's role), whoever owned them on the old server.
        command = [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
        ]
        command += [f"--jobs={jobs}"] if jobs > 1 else ["--single-transaction"]
        _run([*command, str(copy)], env=_pg_env())
        restored = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # pg_restore brings no planner statistics: queries would plan blind
    else:
        connection.ensure_connection()
        source = sqlite3.connect(copy)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        restored = time.perf_counter()
    analysed = time.perf_counter()
    result = backup_verify(manifest=manifest)
    result.seconds = {
        "restore": round(restored - started, 1),
        "analyze": round(analysed - restored, 1),
        **result.seconds,
    }
    return result


def backup_verify(*, manifest: dict[str, Any]) -> Verification:
    """Compare the configured database with what a backup recorded: every table's rows and checksum,
    the migrations applied; then how they stand against this code's migrations."""
    result = Verification()
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            figures = _postgresql_figures(cursor)
            applied = _applied_migrations(cursor)
    else:
        figures, applied = _sqlite_figures(connection.settings_dict["NAME"])
    result.seconds["compare"] = round(time.perf_counter() - started, 1)
    recorded: dict[str, dict[str, Any]] = manifest["tables"]
    for table in sorted(recorded.keys() - figures.keys()):
        result.problems.append(f"table {table} is missing")
    for table in sorted(figures.keys() - recorded.keys()):
        result.problems.append(f"table {table} was not in the backup")
    for table in sorted(recorded.keys() & figures.keys()):
        want, got = recorded[table], figures[table]
        if want["rows"] != got["rows"]:
            result.problems.append(f"table {table}: {got['rows']:,} rows, the backup had {want['rows']:,}")
        elif want["checksum"] != got["checksum"]:
            result.problems.append(f"table {table}: {got['rows']:,} rows as recorded, but their values differ")
    rows = sum(table["rows"] for table in figures.values())
    result.checked.append(f"{len(recorded)} tables, {rows:,} rows: counts and checksums as recorded")
    if applied != manifest["migrations"]:
        result.problems.append("the migrations applied are not those the backup recorded")
    else:
        result.checked.append(f"{len(applied)} migrations applied, as recorded")
    in_code = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    applied_set = {(app, name) for app, name in applied}
    pending, unknown = in_code - applied_set, applied_set - in_code
    if pending:
        result.notes.append(f"{len(pending)} migrations of this code are newer than the backup: run manage.py migrate")
    if unknown:
        result.notes.append(
            f"{len(unknown)} migrations applied are unknown to this code: the backup is from a newer Tandem"
        )
    return result
